package checkin

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/storage"
)

// countingFrames counts the frames the watcher takes from the camera.
type countingFrames struct {
	*camera.Source
	mu sync.Mutex
	n  int
}

func (c *countingFrames) Latest(dst *camera.Frame) (uint64, bool) {
	seq, ok := c.Source.Latest(dst)
	if ok {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	return seq, ok
}

func (c *countingFrames) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Watch mode on a CCTV stream over RTSP on loopback: an employee and a
// stranger walking past a looping camera are each sighted once per
// interval (with a snapshot), and the watcher rides out the stream
// server dying and coming back.
func TestWatchRTSP(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	clips := orlClips(t, 5, 1, 4, 5)
	clips = append(clips, orlClips(t, 33, 1, 1, 2)...)
	srv := testutil.NewRTSPServer(t, testutil.VideoMP4(t, clips, 15))
	srv.Start()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	copts := camera.DefaultOptions()
	copts.Backoff = camera.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 2}
	src, err := camera.Open(ctx, srv.URL(), copts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames := &countingFrames{Source: src}

	wo := DefaultWatchOptions()
	wo.Interval = time.Hour
	w := NewWatcher(k.eng, k.gal, k.store, wo)
	var mu sync.Mutex
	var sights []Sighting
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, frames, func(s Sighting) { mu.Lock(); sights = append(sights, s); mu.Unlock() })
	}()
	snapshot := func() []Sighting { mu.Lock(); defer mu.Unlock(); return append([]Sighting(nil), sights...) }
	both := func() bool {
		var known, unknown bool
		for _, s := range snapshot() {
			known = known || (s.Known && s.NIP == fixture.NIP(5) && s.Name == "Subject Five")
			unknown = unknown || !s.Known
		}
		return known && unknown
	}
	testutil.WaitFor(t, 3*time.Minute, func() string { return "a known and an unknown sighting" }, both)
	// Let the loop come round twice more: no new sightings in the
	// interval. The stream runs in real time and the watcher takes only
	// the newest frame, so on a loaded machine it examines few of them:
	// wait for two loops of the stream and for frames the watcher took
	// from them, not for a number of examined frames.
	start, startSeq := frames.count(), src.Status().Frames
	testutil.WaitFor(t, 3*time.Minute, func() string { return "two more loops" }, func() bool {
		return src.Status().Frames > startSeq+2*60 && frames.count() > start+10
	})

	srv.Stop()
	testutil.WaitFor(t, 30*time.Second, func() string { return "the stream to drop" }, func() bool {
		return src.Status().State == camera.StateReconnecting
	})
	srv.Start()
	restarted := frames.count()
	testutil.WaitFor(t, 3*time.Minute, func() string { return "frames after the restart" }, func() bool { return frames.count() > restarted+15 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watcher stopped with %v", err)
	}

	got := snapshot()
	if len(got) != 2 {
		t.Fatalf("sightings %+v: want exactly one known and one unknown within the interval", got)
	}
	evs := k.events(t)
	if len(evs) != 2 {
		t.Fatalf("events %+v, want 2", evs)
	}
	for _, e := range evs {
		if e.Kind != storage.KindSighting || e.PhotoID == "" {
			t.Errorf("event %+v: want a sighting with a snapshot", e)
		}
	}
}
