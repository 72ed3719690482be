package camera

import (
	"context"
	"errors"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

// An HTTP stream (here a clip served by a real HTTP server, read by
// FFmpeg over the socket) is a live source: it plays, and when the
// server's data ends the reader reports reconnecting and plays it again.
func TestHTTPStreamPlaysAndReconnects(t *testing.T) {
	v := makeVideos(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, v.v640)
	}))
	t.Cleanup(srv.Close)

	rec := &recorder{}
	opts := testOptions()
	opts.OnStatus = rec.observe
	s := openT(t, srv.URL+"/cam.mp4", opts)
	seq := waitFrame(t, s, 0, 20*time.Second)
	f := NewFrame()
	defer f.Close()
	if _, ok := s.Latest(f); !ok || f.Size() != image.Pt(640, 480) {
		t.Fatalf("frame size %v, want 640x480", f.Size())
	}
	var lost Status
	testutil.WaitFor(t, 30*time.Second, func() string { return "reconnecting after the clip ends" }, func() bool {
		var ok bool
		lost, ok = rec.find(func(s Status) bool { return s.State == StateReconnecting && errors.Is(s.Err, ErrLost) })
		return ok
	})
	if lost.Frames < videoFrames-5 || lost.Attempt != 1 {
		t.Errorf("lost after %d frames at attempt %d, want the whole clip at attempt 1", lost.Frames, lost.Attempt)
	}
	for seq <= lost.Frames { // frames again after the reconnect
		seq = waitFrame(t, s, seq, 20*time.Second)
	}
}

func TestProbeFile(t *testing.T) {
	v := makeVideos(t)
	snap := filepath.Join(t.TempDir(), "snap.jpg")
	res, err := Probe(context.Background(), v.v720, snap)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindFile || res.Info.Width != 1280 || res.Info.Height != 720 || res.Info.FPS != 30 || res.Info.Codec == "" {
		t.Errorf("probe = %+v, want a 1280x720 30 fps file with a codec", res)
	}
	if res.Snapshot != snap {
		t.Errorf("snapshot = %q", res.Snapshot)
	}
	fh, err := os.Open(snap)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cfg, err := jpeg.DecodeConfig(fh)
	if err != nil || cfg.Width != 1280 || cfg.Height != 720 {
		t.Errorf("snapshot: %v, %dx%d; want a 1280x720 JPEG", err, cfg.Width, cfg.Height)
	}

	if _, err := Probe(context.Background(), filepath.Join(t.TempDir(), "none.mp4"), ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("probe of a missing file = %v, want ErrNotFound", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Probe(ctx, v.v640, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("probe with a cancelled context = %v", err)
	}
}
