package storetest

import (
	"context"
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

// bulkStore is what the recap benchmark needs to fill a regency-sized
// database with SQL rather than HTTP (sqldb.DB provides it).
type bulkStore interface {
	BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error
	Analyze(ctx context.Context) error
}

// Regency size (issue 14): 10,000 people in 40 units, one of 4,000 (an
// education office with its teachers), 15 of 250 and 24 of about 94; 75
// kiosks; one month of two events per person and working day.
const (
	recapPeople  = 10_000
	recapKiosks  = 75
	recapBigUnit = 4_000
)

func recapUnitOf(i int) string {
	switch {
	case i < recapBigUnit:
		return "U00"
	case i < recapBigUnit+15*250:
		return fmt.Sprintf("U%02d", 1+(i-recapBigUnit)/250)
	default:
		return fmt.Sprintf("U%02d", 16+(i-recapBigUnit-15*250)%24)
	}
}

// fillRegency loads people, 440,000 events of October 2026, 300 pending
// manual events and 600 exceptions with bulk SQL, and returns the count of
// events.
func fillRegency(tb testing.TB, st server.Store) int {
	ctx := context.Background()
	bs, ok := st.(bulkStore)
	if !ok {
		tb.Skip("store has no bulk loader")
	}
	rng := Seed(2026)
	var emps [][]any
	for i := range recapPeople {
		emps = append(emps, []any{NIP(i), fmt.Sprintf("Pegawai %05d", i), recapUnitOf(i), "", "active", 0, int64(i + 1), time.Now().UnixNano()})
	}
	if err := bs.BulkInsert(ctx, "employees", []string{"nip", "name", "unit", "prev_unit", "status", "deleted", "rev", "updated_ns"}, emps); err != nil {
		tb.Fatal(err)
	}
	cols := []string{"id", "device", "seq", "kind", "nip", "time_ns", "zone", "monotonic_ns", "boot_id", "clock_offset_ns",
		"distance", "margin", "liveness", "liveness_score", "photo_id", "operator", "note", "recorded_ns", "prev_hash", "hash",
		"received_ns", "approval", "approved_by", "approved_ns", "corrected_ns"}
	seq := make([]int64, recapKiosks)
	hash := make([]byte, 32)
	n := 0
	var rows [][]any
	flush := func() {
		if err := bs.BulkInsert(ctx, "events", cols, rows); err != nil {
			tb.Fatal(err)
		}
		rows = rows[:0]
	}
	add := func(kind, nip string, at time.Time, approval string) {
		k := rng.IntN(recapKiosks)
		seq[k]++
		rows = append(rows, []any{fmt.Sprintf("E%08d", n), fmt.Sprintf("K%02d", k), seq[k], kind, nip, at.UnixNano(), "Asia/Jakarta",
			int64(0), "boot", int64(0), 0.3, 0.1, "blink-ok", 0.9, "", "", "", at.UnixNano(), hash, hash, at.UnixNano(), approval, "", int64(0), at.UnixNano()})
		n++
	}
	loc, _ := time.LoadLocation("Asia/Jakarta")
	for d := time.Date(2026, 10, 1, 0, 0, 0, 0, loc); d.Month() == time.October; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		for i := range recapPeople {
			in := d.Add(7*time.Hour + time.Duration(rng.IntN(70))*time.Minute)
			out := d.Add(15*time.Hour + 40*time.Minute + time.Duration(rng.IntN(80))*time.Minute)
			add("in", NIP(i), in, "")
			add("out", NIP(i), out, "")
		}
		if len(rows) >= 20_000 {
			flush()
		}
	}
	for i := range 300 {
		add("manual", NIP(rng.IntN(recapPeople)), time.Date(2026, 10, 1+i%30, 7, 15, 0, 0, loc), server.ApprovalPending)
	}
	flush()
	var xs [][]any
	for i := range 600 {
		state := server.StateApproved
		if i%6 == 0 {
			state = server.StatePending
		}
		day := 20261001 + i%25
		xs = append(xs, []any{fmt.Sprintf("X%05d", i), NIP(i * 16), recapUnitOf(i * 16), []string{"CT", "S", "DL", "I"}[i%4],
			day, day + 2, -1, "bench", state, "op", time.Date(2026, 10, 1+i%30, 9, 0, 0, 0, loc).UnixNano(), 1})
	}
	if err := bs.BulkInsert(ctx, "exceptions", []string{"id", "nip", "unit", "type", "from_day", "to_day", "at_min", "reason", "state",
		"created_by", "created_ns", "types_version"}, xs); err != nil {
		tb.Fatal(err)
	}
	if err := bs.Analyze(ctx); err != nil {
		tb.Fatal(err)
	}
	return n
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchRecap fills a regency once and times, over HTTP on loopback, the
// LB.1 of a 250-person unit, of the 4,000-person unit and of all units
// (CSV: the whole scope in one request), the XLSX of all units, an LH, an
// LB.2 and a page of the approvals queue.
func BenchRecap(b *testing.B, bk Backend) {
	e := Start(b, bk, func(c *server.Config) {
		c.Now = func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	})
	start := time.Now()
	n := fillRegency(b, e.Store)
	b.Logf("%s: filled %d people, %d events in %s", bk.Name, recapPeople, n, time.Since(start).Round(time.Millisecond))
	admin := e.As("admin", server.RoleAdmin)
	for _, c := range []struct{ name, path string }{
		{"LB1_unit250", "/api/v1/recap/monthly?unit=U01&month=2026-10&limit=1000"},
		{"LB1_unit4000", "/api/v1/recap/monthly?unit=U00&month=2026-10&format=csv"},
		{"LB1_all", "/api/v1/recap/monthly?unit=all&month=2026-10&format=csv"},
		{"LB1_all_xlsx", "/api/v1/recap/monthly?unit=all&month=2026-10&format=xlsx"},
		{"LH_unit250", "/api/v1/recap/daily?unit=U01&date=2026-10-14&limit=1000"},
		{"LH_unit4000", "/api/v1/recap/daily?unit=U00&date=2026-10-14&format=csv"},
		{"LB2_person", "/api/v1/recap/person/" + url.PathEscape(NIP(4321)) + "?month=2026-10"},
		{"Approvals", "/api/v1/approvals?from=2026-10-01&to=2026-10-31&limit=50"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for range b.N {
				r := e.DoRaw("GET", c.path, admin, nil)
				if r.Status != 200 {
					b.Fatalf("%s: %d %s", c.path, r.Status, truncate(r.Raw))
				}
			}
			// The machine is shared: CPU time of this process (server and
			// client) per request says what the request costs, beside the
			// wall time that includes waiting for a core.
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
