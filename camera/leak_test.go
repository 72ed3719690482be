package camera

import (
	"github.com/hadir-id/hadir/internal/testutil"

	"bufio"
	"context"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssBytes reads the process's resident set (Go heap and C memory alike)
// from /proc/self/status.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		testutil.Missing(t, "/proc/self/status (needed to read RSS): %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("parse VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// settledRSS collects Go garbage first so the number reflects what is
// really held.
func settledRSS(t *testing.T) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	return rssBytes(t)
}

// leakFrames is how many frames go through the whole pipeline.
const leakFrames = 10_000

// Ten thousand frames through Open → Latest → ToRGBA → EncodeJPEG must not
// grow the process (an unclosed Mat is ~1 MB of C memory per frame at
// 640x480, so a leak shows within a few hundred frames), and Close must
// leave no goroutine behind.
func TestTenThousandFramesDoNotLeak(t *testing.T) {
	v := makeVideos(t)
	baseGoroutines := runtime.NumGoroutine()
	opts := testOptions()
	opts.Loop = true
	opts.Unpaced = true
	s, err := Open(context.Background(), v.v640, opts)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()

	f := NewFrame()
	defer f.Close()
	var (
		img  *image.RGBA
		jpg  []byte
		seq  uint64
		rss0 int64
	)
	// Glibc's per-thread arenas, FFmpeg's decoder threads and (under
	// -race) the detector's shadow memory take ~2,000 frames to settle.
	const warmup = 2000
	deadline := time.Now().Add(3 * time.Minute)
	for n := 0; n < leakFrames; n++ {
		if n == warmup {
			rss0 = settledRSS(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d frames before the deadline", n)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		next, err := s.Wait(ctx, seq)
		cancel()
		if err != nil {
			t.Fatalf("frame %d: %v (status %v)", n, err, s.Status())
		}
		if seq, _ = s.Latest(f); seq < next {
			t.Fatalf("Latest %d < Wait %d", seq, next)
		}
		if img, err = f.ToRGBA(img, n%2 == 0); err != nil {
			t.Fatal(err)
		}
		if jpg, err = f.EncodeJPEG(jpg, 85); err != nil || len(jpg) < 1000 {
			t.Fatalf("frame %d: jpeg of %d bytes: %v", n, len(jpg), err)
		}
	}
	rss1 := settledRSS(t)
	growth := rss1 - rss0
	t.Logf("RSS after warm-up %.1f MB, after %d frames %.1f MB (growth %.1f MB); source decoded %d frames",
		float64(rss0)/(1<<20), leakFrames, float64(rss1)/(1<<20), float64(growth)/(1<<20), s.Status().Frames)
	if growth > 30<<20 {
		t.Errorf("RSS grew by %.1f MB over %d frames: something leaks", float64(growth)/(1<<20), leakFrames)
	}

	s.Close()
	closed = true
	testutil.WaitFor(t, 10*time.Second, func() string {
		return "goroutines back to " + strconv.Itoa(baseGoroutines) + ", have " + strconv.Itoa(runtime.NumGoroutine())
	}, func() bool { return runtime.NumGoroutine() <= baseGoroutines })
}
