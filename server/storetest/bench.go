package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

// Benchmark sizes from the issue.
const (
	benchEvents    = 100_000
	benchBatch     = 500
	benchEmployees = 10_000
	benchTemplates = 5
)

// BenchIngest posts 100,000 events in batches of 500 over loopback, from
// kiosks sending in parallel (each kiosk's batches in order, as the sync
// client does), and reports events/s.
func BenchIngest(b *testing.B, bk Backend, kiosks int) {
	e := Start(b, bk)
	devs := make([]*Device, kiosks)
	for i := range devs {
		devs[i] = e.Register(fmt.Sprintf("K%d", i))
	}
	b.ResetTimer()
	var total time.Duration
	var lat []time.Duration
	for range b.N {
		d, l := ingestRound(b, e, devs, e.Clock.Now(), nil)
		total, lat = total+d, append(lat, l...)
	}
	b.ReportMetric(float64(benchEvents*b.N)/total.Seconds(), "events/s")
	reportLatency(b, lat)
}

// ingestRound posts benchEvents events stamped now in batches of
// benchBatch, the devices sending in parallel (each device's batches in
// order, as the sync client does), and returns the wall time of the posts
// alone (building the batches is not timed) and each post's latency.
// built, when not nil, runs once the batches are ready, before the first
// post.
func ingestRound(b *testing.B, e *Env, devs []*Device, now time.Time, built func(bodies int64)) (time.Duration, []time.Duration) {
	b.StopTimer()
	defer b.StartTimer()
	bodies := make([][][]byte, len(devs))
	var size int64
	for i := 0; i < benchEvents/benchBatch; i++ {
		d := devs[i%len(devs)]
		evs := make([]map[string]any, benchBatch)
		for j := range evs {
			evs[j] = d.chain.Next("in", NIP(j), now)
		}
		body, _ := json.Marshal(Batch(evs...))
		bodies[i%len(devs)] = append(bodies[i%len(devs)], body)
		size += int64(len(body))
	}
	if built != nil {
		built(size)
	}
	b.StartTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lat []time.Duration
	for k, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, body := range bodies[k] {
				t0 := time.Now()
				r := e.DoRaw("POST", "/api/v1/events", d.Token, body)
				if r.Status != 200 {
					b.Errorf("ingest: %d %s", r.Status, truncate(r.Raw))
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return time.Since(start), lat
}

// reportLatency reports the median and 99th percentile of lat in ms.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchRosterPull enrols 10,000 employees x 5 templates, then times a
// kiosk's full roster pull (pages of 2000, JSON decoded as the kiosk does)
// and reports seconds per full pull.
func BenchRosterPull(b *testing.B, bk Backend) {
	e := Start(b, bk)
	d := e.Register("K1")
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := Seed(uint64(w))
			for i := w; i < benchEmployees; i += workers {
				_, err := e.Store.PutEmployee(context.Background(), server.Employee{NIP: NIP(i), Name: fmt.Sprintf("Pegawai %d", i), Unit: "DINKES", Status: "active"},
					Templates(rng, benchTemplates), server.PutOptions{})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	type page struct {
		Revision int64 `json:"revision"`
		More     bool  `json:"more"`
		Changes  []struct {
			NIP       string `json:"nip"`
			Templates []struct {
				Descriptor string `json:"descriptor"`
			} `json:"templates"`
		} `json:"changes"`
	}
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		start := time.Now()
		since, n, tpls := int64(0), 0, 0
		for {
			r := e.DoRaw("GET", fmt.Sprintf("/api/v1/roster?since=%d&limit=2000", since), d.Token, nil)
			var p page
			if err := json.Unmarshal(r.Raw, &p); err != nil || r.Status != 200 {
				b.Fatalf("roster: %d %v", r.Status, err)
			}
			for _, c := range p.Changes {
				n++
				tpls += len(c.Templates)
				for _, t := range c.Templates {
					if _, err := api.DecodeDescriptor(t.Descriptor); err != nil {
						b.Fatal(err)
					}
				}
			}
			since = p.Revision
			if !p.More {
				break
			}
		}
		total += time.Since(start)
		if n != benchEmployees || tpls != benchEmployees*benchTemplates {
			b.Fatalf("pulled %d employees, %d templates", n, tpls)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/pull")
	b.ReportMetric(0, "ns/op")
}
