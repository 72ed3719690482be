package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// testKey is a fixed store key so tests (and child processes) can reopen
// stores.
var testKey = bytes.Repeat([]byte{0x42}, storage.KeySize)

func storeOptions() storage.Options {
	o := storage.DefaultOptions()
	o.Key = testKey
	o.Argon2 = storage.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	return o
}

// openStore opens (creating) a kiosk store in dir, closed at cleanup.
func openStore(t testing.TB, dir string) *storage.Store {
	t.Helper()
	s, err := storage.Open(dir, storeOptions())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// nip returns a well-formed NIP with serial n (1-999), distinct for n
// up to ~300,000.
func nip(n int) string {
	day := 1 + (n/999)%28
	month := 1 + (n/(999*28))%12
	return fmt.Sprintf("1985%02d%02d2010011%03d", month, day, 1+n%999)
}

// sampleEvent is a realistic check-in recorded by the kiosk.
func sampleEvent(i int, now time.Time) storage.Event {
	return storage.Event{
		Kind:          []storage.EventKind{storage.KindIn, storage.KindOut, storage.KindSighting}[i%3],
		NIP:           nip(i % 5000),
		Time:          now,
		Zone:          "Asia/Jakarta",
		Monotonic:     time.Duration(i) * time.Millisecond,
		BootID:        "6c1f1b7e-36a4-4f7d-9d7e-0d2f7a1c9e11",
		ClockOffset:   -1500 * time.Millisecond,
		Distance:      0.31 + float64(i%7)/100,
		Margin:        0.12,
		Liveness:      "blink-ok",
		LivenessScore: 0.9,
	}
}

// recordEvents records n events in transactions of up to 1000 and
// returns their IDs in order.
func recordEvents(t testing.TB, s *storage.Store, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	now := time.Now()
	for start := 0; start < n; start += 1000 {
		recs := make([]storage.Record, 0, 1000)
		for i := start; i < min(n, start+1000); i++ {
			recs = append(recs, storage.Record{Event: sampleEvent(i, now)})
		}
		evs, err := s.RecordEvents(context.Background(), recs)
		if err != nil {
			t.Fatalf("record events: %v", err)
		}
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// kioskIDs returns every event ID in the store's ledger.
func kioskIDs(t testing.TB, s *storage.Store) []string {
	t.Helper()
	var ids []string
	var after uint64
	for range 1 << 20 {
		page, err := s.Events(context.Background(), after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		after = page[len(page)-1].Seq
	}
	return ids
}

func outboxLen(t testing.TB, s *storage.Store) int {
	t.Helper()
	n, err := s.OutboxLen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// quietLogger keeps test output readable; -v shows it through t.Log.
func quietLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// testOptions are fast, quiet worker options for url.
func testOptions(t testing.TB, url string) Options {
	o := DefaultOptions()
	o.ServerURL = url
	o.MinBackoff = 10 * time.Millisecond
	o.MaxBackoff = 200 * time.Millisecond
	o.Interval = time.Hour // tests drive cycles with Sync or SyncNow
	o.Timeout = 10 * time.Second
	o.AppVersion = "test"
	o.Logger = quietLogger(t)
	return o
}

func newWorker(t testing.TB, s *storage.Store, g Gallery, o Options) *Worker {
	t.Helper()
	w, err := New(s, g, o)
	if err != nil {
		t.Fatalf("sync.New: %v", err)
	}
	return w
}

// syncUntilClean runs Sync until it succeeds (bounded), returning the
// errors seen on the way.
func syncUntilClean(t testing.TB, w *Worker, maxTries int) []error {
	t.Helper()
	var errs []error
	for range maxTries {
		err := w.Sync(context.Background())
		if err == nil {
			return errs
		}
		if errors.Is(err, ErrRevoked) || errors.Is(err, ErrNotRegistered) {
			t.Fatalf("sync: %v", err)
		}
		errs = append(errs, err)
	}
	t.Fatalf("sync did not succeed in %d tries: %v", maxTries, errs)
	return errs
}

// fakeGallery records the live gallery's state.
type fakeGallery struct {
	mu     gosync.Mutex
	people map[string][]recognition.Descriptor
}

func newFakeGallery() *fakeGallery {
	return &fakeGallery{people: map[string][]recognition.Descriptor{}}
}

func (g *fakeGallery) Set(id string, ts []recognition.Descriptor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.people[id] = append([]recognition.Descriptor(nil), ts...)
}

func (g *fakeGallery) Remove(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.people, id)
}

func (g *fakeGallery) get(id string) ([]recognition.Descriptor, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, ok := g.people[id]
	return d, ok
}

// descriptor is a deterministic face descriptor; seeds far apart give
// faces far apart.
func descriptor(seed float32) [storage.DescriptorLen]float32 {
	var d [storage.DescriptorLen]float32
	for i := range d {
		d[i] = seed + float32(i%7)*0.01
	}
	return d
}

// checkSets asserts the server holds exactly the kiosk's events, each
// once, and the outbox is empty.
func checkSets(t testing.TB, kiosk []string, server map[string]int, outbox int) {
	t.Helper()
	if outbox != 0 {
		t.Errorf("kiosk outbox holds %d events, want 0", outbox)
	}
	want := make(map[string]bool, len(kiosk))
	for _, id := range kiosk {
		want[id] = true
	}
	missing, extra, twice := 0, 0, 0
	for id := range want {
		if server[id] == 0 {
			missing++
		}
	}
	for id, n := range server {
		if !want[id] {
			extra++
		}
		if n > 1 {
			twice++
		}
	}
	if missing+extra+twice > 0 || len(server) != len(want) {
		t.Errorf("server has %d events, kiosk %d: %d missing, %d unknown, %d stored more than once", len(server), len(want), missing, extra, twice)
	}
}

// fakeClock reads the real time (plus a settable offset) but hands out
// timers that fire only when the test says so, recording the waits the
// worker asked for.
type fakeClock struct {
	mu      gosync.Mutex
	shift   time.Duration
	waits   []time.Duration
	pending []chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.shift)
}

func (c *fakeClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waits = append(c.waits, d)
	c.pending = append(c.pending, ch)
	return fakeTimer{ch}
}

// timers returns the waits asked for so far.
func (c *fakeClock) timers() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// fire makes every outstanding timer fire.
func (c *fakeClock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.pending {
		select {
		case ch <- time.Now():
		default:
		}
	}
	c.pending = nil
}

// fakeTimer fires only through fakeClock.fire.
type fakeTimer struct{ c chan time.Time }

func (t fakeTimer) C() <-chan time.Time { return t.c }
func (fakeTimer) Reset(time.Duration)   {}
func (fakeTimer) Stop()                 {}

// waitFor polls cond (bounded: 30 s), failing the test with what it
// waited for. Synchronisation by condition, never by sleeping a guess.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
