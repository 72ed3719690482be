package sync

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	gosync "sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/storage"
)

const benchBacklog = 100_000

// BenchmarkSyncBacklog syncs a kiosk holding 100,000 unsent events to
// the real hadir-server (SQLite) on loopback: issue 8's target is <= 20 s
// with kiosk memory bounded (the outbox is streamed a batch at a time).
// It reports seconds and events/s per backlog, and the kiosk process's
// peak heap in use, sampled every 5 ms during the sync.
func BenchmarkSyncBacklog(b *testing.B) {
	b.StopTimer() // fixture and server start are not measured
	fixture := backlogFixture(b)
	srv := startServer(b)
	var secs, peak float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		copyFile(b, filepath.Join(fixture, storage.DBFile), filepath.Join(dir, storage.DBFile))
		s, err := storage.Open(dir, storeOptions())
		if err != nil {
			b.Fatal(err)
		}
		o := testOptions(b, srv.url)
		o.Timeout = time.Minute
		w := newWorker(b, s, nil, o)
		// Each iteration is a new device: the fixture's events are new
		// to the server under its device ID.
		if err := w.Register(context.Background(), srv.url, srv.code(), "bench"); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := make(chan struct{})
		var wg gosync.WaitGroup
		var maxHeap uint64
		wg.Add(1)
		go func() { // sampler, owned by this iteration; ends on stop
			defer wg.Done()
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				maxHeap = max(maxHeap, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		b.StartTimer()
		err = w.Sync(context.Background())
		b.StopTimer()
		elapsed := time.Since(start)
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if n := outboxLen(b, s); n != 0 {
			b.Fatalf("outbox %d after sync", n)
		}
		_ = s.Close()
		secs += elapsed.Seconds()
		peak = max(peak, float64(maxHeap)/(1<<20))
	}
	b.ReportMetric(secs/float64(b.N), "s/backlog")
	b.ReportMetric(float64(benchBacklog)*float64(b.N)/secs, "events/s")
	b.ReportMetric(peak, "peak-heap-MiB")
}

var (
	fixtureOnce gosync.Once
	fixtureDir  string
)

// backlogFixture builds a store with 100,000 pending events once per
// test binary (under tmpRoot, removed by TestMain).
func backlogFixture(b *testing.B) string {
	b.Helper()
	fixtureOnce.Do(func() {
		dir := filepath.Join(tmpRoot, "backlog")
		s, err := storage.Open(dir, storeOptions())
		if err != nil {
			b.Fatal(err)
		}
		recordEvents(b, s, benchBacklog)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		fixtureDir = dir
	})
	if fixtureDir == "" {
		b.Fatal("backlog fixture failed")
	}
	return fixtureDir
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}
