package storetest

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchRecap fills a regency once (a year by default, see
// DefaultRecapMonths) and times, over HTTP on loopback, the LB.1 of a
// 250-person unit, of the 4,000-person unit and of all units (CSV: the
// whole scope in one request), the XLSX of all units, an LH, an LB.2, a
// page of the approvals queue, a /metrics scrape and ingest from 75 kiosks
// into the filled database. Each reports the process's CPU per request and
// its peak RSS during that sub-benchmark (the server is in this process;
// on PostgreSQL the database's own processes are not counted).
func BenchRecap(b *testing.B, bk Backend) {
	e := Start(b, bk)
	// The benchmark's "now" is the morning HR closes October.
	e.Clock.Advance(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Sub(time.Now()))
	months := recapMonths(b)
	start := time.Now()
	n := fillRegency(b, e.Store, months)
	b.Logf("%s: filled %d people, %d months, %d events in %s", bk.Name, recapPeople, months, n, time.Since(start).Round(time.Millisecond))
	admin := e.As("admin", server.RoleAdmin)
	for _, c := range []struct{ name, path, token string }{
		{"LB1_unit250", "/api/v1/recap/monthly?unit=U01&month=2026-10&limit=1000", admin},
		{"LB1_unit4000", "/api/v1/recap/monthly?unit=U00&month=2026-10&format=csv", admin},
		{"LB1_all", "/api/v1/recap/monthly?unit=all&month=2026-10&format=csv", admin},
		{"LB1_all_xlsx", "/api/v1/recap/monthly?unit=all&month=2026-10&format=xlsx", admin},
		{"LH_unit250", "/api/v1/recap/daily?unit=U01&date=2026-10-14&limit=1000", admin},
		{"LH_unit4000", "/api/v1/recap/daily?unit=U00&date=2026-10-14&format=csv", admin},
		{"LB2_person", "/api/v1/recap/person/" + url.PathEscape(NIP(4321)) + "?month=2026-10", admin},
		{"Approvals", "/api/v1/approvals?from=2026-10-01&to=2026-10-31&limit=50", admin},
		{"Metrics", "/metrics", e.MetricsToken},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			resetPeakRSS()
			cpu0 := processCPU()
			for range b.N {
				r := e.DoRaw("GET", c.path, c.token, nil)
				if r.Status != 200 {
					b.Fatalf("%s: %d %s", c.path, r.Status, truncate(r.Raw))
				}
			}
			// The machine is shared: CPU time of this process (server and
			// client) per request says what the request costs, beside the
			// wall time that includes waiting for a core.
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(peakRSSMiB(), "peak-MiB")
		})
	}
	// Registered once: b.Run calls its function again for each b.N.
	devs := make([]*Device, recapKiosks)
	for i := range devs {
		devs[i] = e.Register(fmt.Sprintf("KI%02d", i))
	}
	b.Run("Ingest75", func(b *testing.B) {
		var total time.Duration
		var lat []time.Duration
		var peak, client float64
		cpu0 := processCPU()
		for range b.N {
			d, l := ingestRound(b, e, devs, e.Clock.Now(), func(size int64) {
				resetPeakRSS()
				client = float64(size) / (1 << 20)
			})
			total, lat = total+d, append(lat, l...)
			peak = max(peak, peakRSSMiB())
		}
		b.ReportMetric(float64(benchEvents*b.N)/total.Seconds(), "events/s")
		// All 75 kiosks send at once: a batch's latency is mostly its wait
		// behind the others (the ingest limiter), not its own work.
		reportLatency(b, lat)
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(benchEvents*b.N), "cpu-us/event")
		// The kiosks' side lives in this process too: its prepared
		// batches are counted in the peak and reported beside it.
		b.ReportMetric(peak, "peak-MiB")
		b.ReportMetric(client, "client-MiB")
	})
}

// resetPeakRSS starts a new peak-RSS window for this process (Linux:
// writing 5 to clear_refs resets VmHWM), so each sub-benchmark reports its
// own peak rather than the fill's.
func resetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSMiB is VmHWM, the peak resident set since resetPeakRSS, or 0
// where /proc does not say.
func peakRSSMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
