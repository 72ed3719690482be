package camera

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

func TestFilePlaysToTheEndThenEnds(t *testing.T) {
	v := makeVideos(t)
	rec := &recorder{}
	opts := testOptions()
	opts.Unpaced = true
	opts.OnStatus = rec.observe
	s := openT(t, v.v640, opts)

	st := waitState(t, s, 30*time.Second, StateEnded, StateFailed)
	if st.State != StateEnded || !errors.Is(st.Err, ErrEnded) {
		t.Fatalf("status = %v, want ended with ErrEnded", st)
	}
	if st.Frames < videoFrames-5 || st.Frames > videoFrames {
		t.Errorf("delivered %d frames, want about %d", st.Frames, videoFrames)
	}
	if st.Info.Width != 640 || st.Info.Height != 480 || st.Info.FPS != 30 || st.Info.Codec == "" {
		t.Errorf("info = %+v, want 640x480 at 30 fps with a codec", st.Info)
	}
	want := []State{StateConnecting, StateLive, StateEnded}
	if got := rec.states(); !equalStates(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}

	// The last frame stays readable after the end; Wait reports the end.
	f := NewFrame()
	defer f.Close()
	seq, ok := s.Latest(f)
	if !ok || seq != st.Frames || f.Size() != image.Pt(640, 480) {
		t.Fatalf("Latest = %d, %v, size %v; want %d, true, 640x480", seq, ok, f.Size(), st.Frames)
	}
	if _, err := s.Wait(context.Background(), seq); !errors.Is(err, ErrEnded) {
		t.Errorf("Wait after the end = %v, want ErrEnded", err)
	}
}

func TestFileLoops(t *testing.T) {
	v := makeVideos(t)
	opts := testOptions()
	opts.Unpaced = true
	opts.Loop = true
	s := openT(t, v.v640, opts)
	seq := waitFrame(t, s, 0, 30*time.Second)
	for seq < 3*videoFrames {
		seq = waitFrame(t, s, seq, 30*time.Second)
	}
	if st := s.Status(); st.State != StateLive {
		t.Errorf("looping file: status %v, want live", st)
	}
}

func TestLatestDropsStaleFrames(t *testing.T) {
	v := makeVideos(t)
	opts := testOptions()
	opts.Unpaced = true
	opts.Loop = true
	s := openT(t, v.v640, opts)
	f := NewFrame()
	defer f.Close()

	// A consumer slower than the decoder (it encodes a JPEG per frame)
	// must see the newest frame each time, skipping the ones in between.
	var seq uint64
	var jpg []byte
	skipped := 0
	for i := 0; i < 30; i++ {
		next := waitFrame(t, s, seq, 30*time.Second)
		got, ok := s.Latest(f)
		if !ok || got < next {
			t.Fatalf("Latest = %d, %v after Wait returned %d", got, ok, next)
		}
		if got > seq+1 {
			skipped++
		}
		seq = got
		var err error
		if jpg, err = f.EncodeJPEG(jpg, 80); err != nil {
			t.Fatal(err)
		}
	}
	if skipped == 0 {
		t.Error("a slow consumer never skipped a frame: frames are being queued")
	}
	// Polling again without a new frame keeps the same frame.
	if again, _ := s.Latest(f); again < seq {
		t.Errorf("Latest went back from %d to %d", seq, again)
	}
}

func TestPacedFileReportsMeasuredFPS(t *testing.T) {
	v := makeVideos(t)
	opts := testOptions()
	opts.Loop = true
	opts.FPS = 30
	s := openT(t, v.v640, opts)
	var st Status
	testutil.WaitFor(t, 20*time.Second, func() string { return "a measured fps: " + st.String() }, func() bool {
		st = s.Status()
		return st.State == StateLive && st.FPS > 0
	})
	// Pacing caps the rate (a busy machine can only make it lower).
	if st.FPS > 45 {
		t.Errorf("paced at 30 fps but measured %.1f", st.FPS)
	}
}

func TestFolderPlaysImagesInNameOrder(t *testing.T) {
	dir := t.TempDir()
	red, green, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}
	// Names out of creation order; sizes tell the images apart.
	writePNG(t, filepath.Join(dir, "b.png"), 40, 30, green, green)
	writePNG(t, filepath.Join(dir, "a.png"), 20, 10, red, red)
	writePNG(t, filepath.Join(dir, "c.png"), 60, 50, blue, blue)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.jpg"), []byte("garbage, not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []image.Point{{20, 10}, {40, 30}, {60, 50}}

	for _, loop := range []bool{false, true} {
		opts := testOptions()
		opts.FPS = 50
		opts.Loop = loop
		s := openT(t, dir, opts)
		f := NewFrame()
		defer f.Close()
		var seq uint64
		for seq < 6 {
			var err error
			seq, err = s.Wait(context.Background(), seq)
			if err != nil {
				if !loop && errors.Is(err, ErrEnded) {
					break
				}
				t.Fatalf("loop=%v: wait: %v", loop, err)
			}
			got, _ := s.Latest(f)
			// Frames may be skipped by a slow consumer, never reordered.
			if size := f.Size(); size != want[(got-1)%3] {
				t.Fatalf("loop=%v: frame %d is %v, want %v", loop, got, size, want[(got-1)%3])
			}
		}
		st := s.Status()
		if !loop && (st.State != StateEnded || st.Frames != 3) {
			t.Errorf("no loop: status %v after %d frames, want ended after 3 (broken.jpg skipped)", st, st.Frames)
		}
		if loop && st.Frames < 6 {
			t.Errorf("loop: %d frames, want >= 6", st.Frames)
		}
	}
}

func TestCloseStopsEverything(t *testing.T) {
	v := makeVideos(t)
	base := runtime.NumGoroutine()
	opts := testOptions()
	opts.Loop = true
	rec := &recorder{}
	opts.OnStatus = rec.observe
	s, err := Open(context.Background(), v.v640, opts)
	if err != nil {
		t.Fatal(err)
	}
	seq := waitFrame(t, s, 0, 20*time.Second)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	f := NewFrame()
	defer f.Close()
	if _, ok := s.Latest(f); ok {
		t.Error("Latest after Close returned a frame")
	}
	if _, err := s.Wait(context.Background(), seq); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait after Close = %v, want ErrClosed", err)
	}
	if st := s.Status(); st.State != StateClosed {
		t.Errorf("status after Close = %v", st)
	}
	if last := rec.statuses(); len(last) == 0 || last[len(last)-1].State != StateClosed {
		t.Errorf("observer did not see closed last: %v", rec.states())
	}
	testutil.WaitFor(t, 5*time.Second, func() string { return "goroutines back to baseline" }, func() bool {
		return runtime.NumGoroutine() <= base
	})
}

func TestCancelledContextStopsReader(t *testing.T) {
	v := makeVideos(t)
	ctx, cancel := context.WithCancel(context.Background())
	opts := testOptions()
	opts.Loop = true
	s, err := Open(ctx, v.v640, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waitFrame(t, s, 0, 20*time.Second)
	cancel()
	waitState(t, s, 10*time.Second, StateClosed)

	if _, err := Open(ctx, v.v640, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 8, 8, color.RGBA{A: 255}, color.RGBA{A: 255})
	opts := testOptions()
	opts.FPS = 1
	opts.Loop = true
	s := openT(t, dir, opts)
	seq := waitFrame(t, s, 0, 10*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Wait(ctx, seq+100); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v", err)
	}
}

func equalStates(a, b []State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
