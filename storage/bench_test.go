package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hadir-id/hadir/internal/testutil"
)

// Benchmarks for `make bench`. Targets from issue 3: open + gallery load
// of 10,000 employees x 5 templates with 100,000 events in <= 300 ms, and
// kiosk RSS <= 300 MB with it loaded.

const (
	benchEmployees = 10_000
	benchTemplates = 5
	benchEvents    = 100_000
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// bigFixture builds the large store once per test binary run (removed by
// TestMain's caller via the returned dir's parent being a temp dir).
func bigFixture(b *testing.B) string {
	b.Helper()
	fixtureOnce.Do(func() {
		parent, err := os.MkdirTemp("", "hadir-bench-*")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureDir = filepath.Join(parent, "store")
		fixtureErr = buildFixture(fixtureDir)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixtureDir
}

func removeFixture() {
	if fixtureDir != "" {
		os.RemoveAll(filepath.Dir(fixtureDir))
	}
}

func buildFixture(dir string) error {
	c := newClock()
	s, err := Open(dir, testOptions(c))
	if err != nil {
		return err
	}
	defer s.Close()
	now := c.Now()
	// Employees and templates, 500 employees per transaction.
	for start := 0; start < benchEmployees; start += 500 {
		err := s.update(func(tx *bolt.Tx) error {
			for i := start; i < start+500; i++ {
				nip := validNIP(i)
				e := Employee{NIP: nip, Name: fmt.Sprintf("Pegawai %d", i), Unit: "OPD", Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
				v, _ := jsonMarshal(e)
				if err := tx.Bucket(bktEmployees).Put([]byte(nip), v); err != nil {
					return err
				}
				for j := 0; j < benchTemplates; j++ {
					t := Template{ID: NewID(now), NIP: nip, Descriptor: descriptor(float32(i*benchTemplates + j)), TakenAt: now,
						Quality: TemplateQuality{FaceWidth: 160, Sharpness: 0.7}}
					k := templateKey(nip, t.ID)
					if err := tx.Bucket(bktTemplates).Put(k, s.encodeTemplate(k, t)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	ctx := context.Background()
	recs := make([]Record, 1000)
	for n := 0; n < benchEvents; n += len(recs) {
		for i := range recs {
			recs[i] = Record{Event: sampleEvent(n+i, now)}
		}
		if _, err := s.RecordEvents(ctx, recs); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkRecordEvent measures durable single-event writes (one fsync'd
// bbolt transaction each), the kiosk's normal path.
func BenchmarkRecordEvent(b *testing.B) {
	for _, photo := range []int{0, 40 << 10} {
		b.Run(fmt.Sprintf("photo=%dKiB", photo>>10), func(b *testing.B) {
			s, err := Open(b.TempDir(), testOptions(newClock()))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var p []byte
			if photo > 0 {
				p = fakeJPEG(photo)
			}
			ctx := context.Background()
			now := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.RecordEvent(ctx, sampleEvent(i, now), p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkRecordEventsBatch measures durable writes of 50 events per
// transaction (e.g. a backlog of manual entries).
func BenchmarkRecordEventsBatch(b *testing.B) {
	const batch = 50
	s, err := Open(b.TempDir(), testOptions(newClock()))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	recs := make([]Record, batch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range recs {
			recs[j] = Record{Event: sampleEvent(i*batch+j, now)}
		}
		if _, err := s.RecordEvents(ctx, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkOpenLoadGallery measures what the kiosk does at start: open
// the store (10,000 employees x 5 templates, 100,000 events), read the
// employees and decrypt every template into an in-memory gallery. It
// reports the heap the loaded gallery holds and the process RSS.
func BenchmarkOpenLoadGallery(b *testing.B) {
	dir := bigFixture(b)
	fi, _ := os.Stat(dbPath(dir))
	ctx := context.Background()
	var gallery []Template
	var emps []Employee
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(dir, testOptions(newClock()))
		if err != nil {
			b.Fatal(err)
		}
		emps, err = s.Employees(ctx)
		if err != nil {
			b.Fatal(err)
		}
		gallery = make([]Template, 0, benchEmployees*benchTemplates)
		if err := s.ForEachTemplate(ctx, func(t Template) error { gallery = append(gallery, t); return nil }); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.StopTimer()
	if len(gallery) != benchEmployees*benchTemplates || len(emps) != benchEmployees {
		b.Fatalf("loaded %d templates, %d employees", len(gallery), len(emps))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open+load")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MiB-heap")
	b.ReportMetric(testutil.RSSMiB(), "MiB-RSS")
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-file")
	runtime.KeepAlive(gallery)
	runtime.KeepAlive(emps)
}

// BenchmarkOutboxScan pages through an outbox of 100,000 events, 1,000
// at a time, as the sync worker does after weeks offline.
func BenchmarkOutboxScan(b *testing.B) {
	dir := bigFixture(b)
	s, err := Open(dir, testOptions(newClock()))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		var after uint64
		for {
			page, err := s.Outbox(ctx, after, 1000)
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			n += len(page)
			after = page[len(page)-1].Seq
		}
		if n != benchEvents {
			b.Fatalf("scanned %d events", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/100k")
}

// BenchmarkVerifyLedger checks the chain of 100,000 events.
func BenchmarkVerifyLedger(b *testing.B) {
	dir := bigFixture(b)
	s, err := Open(dir, testOptions(newClock()))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep, err := s.VerifyLedger(context.Background()); err != nil || rep.Entries != benchEvents {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/100k")
}
