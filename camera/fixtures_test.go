package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

// fixtureDir holds material shared by every test of one binary run; the
// generated videos cost CPU, so they are made once.
var fixtureDir string

func TestMain(m *testing.M) {
	// OpenCV logs a warning for every failed open; the tests cause many.
	if os.Getenv("OPENCV_LOG_LEVEL") == "" {
		os.Setenv("OPENCV_LOG_LEVEL", "ERROR")
	}
	dir, err := os.MkdirTemp("", "hadir-camera-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "camera tests:", err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testVideos are H.264 clips (30 fps, ~3 s, slides of face photos with
// sensor-like temporal noise so every frame really decodes) at two sizes.
type testVideos struct {
	v640, v720 string
	photos     []string // the source photos, in the order shown
	err        error
}

var (
	videosOnce sync.Once
	videos     testVideos
)

// videoFrames is how many frames each clip holds (6 slides x 15 frames;
// the encoder may drop one or two at the joins).
const videoFrames = 90

// makeVideos returns the shared clips, generating them on first use.
func makeVideos(t testing.TB) testVideos {
	t.Helper()
	ffmpeg := testutil.Tool(t, "ffmpeg")
	idols := testutil.Dataset(t, "idols")
	videosOnce.Do(func() {
		videos.err = generateVideos(ffmpeg, idols, &videos)
	})
	if videos.err != nil {
		t.Fatalf("generate test videos: %v", videos.err)
	}
	return videos
}

func generateVideos(ffmpeg, idols string, v *testVideos) error {
	photos, err := filepath.Glob(filepath.Join(idols, "*", "*.jpg"))
	if err != nil || len(photos) < 6 {
		return fmt.Errorf("want >= 6 photos in %s, got %d (%v)", idols, len(photos), err)
	}
	sort.Strings(photos)
	v.photos = photos[:6]
	v.v640 = filepath.Join(fixtureDir, "v640.mp4")
	v.v720 = filepath.Join(fixtureDir, "v720.mp4")
	for _, c := range []struct {
		out  string
		w, h int
	}{{v.v640, 640, 480}, {v.v720, 1280, 720}} {
		var args []string
		var graph, cat strings.Builder
		for i, p := range v.photos {
			args = append(args, "-i", p)
			fmt.Fprintf(&graph, "[%d:v]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,"+
				"setsar=1,format=yuv420p,loop=loop=14:size=1:start=0,setpts=N/30/TB[v%d];", i, c.w, c.h, c.w, c.h, i)
			fmt.Fprintf(&cat, "[v%d]", i)
		}
		fmt.Fprintf(&graph, "%sconcat=n=%d:v=1:a=0,noise=alls=6:allf=t[out]", cat.String(), len(v.photos))
		args = append([]string{"-y", "-nostdin", "-loglevel", "error"}, args...)
		args = append(args, "-filter_complex", graph.String(), "-map", "[out]", "-r", "30",
			"-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "15", c.out)
		if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ffmpeg %s: %v: %s", filepath.Base(c.out), err, out)
		}
	}
	return nil
}

// writePNG writes a w x h image whose left half is left and right half is
// right, so mirroring and channel order can be checked pixel by pixel.
func writePNG(t testing.TB, path string, w, h int, left, right color.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := left
			if x >= w/2 {
				c = right
			}
			img.SetRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// testOptions are DefaultOptions with backoff short enough for tests.
func testOptions() Options {
	o := DefaultOptions()
	o.Backoff = Backoff{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond, Factor: 2, Jitter: 0.2}
	o.FPSWindow = 250 * time.Millisecond
	return o
}

// recorder keeps every status a source reports, for assertions on the
// sequence of states.
type recorder struct {
	mu  sync.Mutex
	all []Status
}

func (r *recorder) observe(s Status) {
	r.mu.Lock()
	r.all = append(r.all, s)
	r.mu.Unlock()
}

func (r *recorder) statuses() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Status(nil), r.all...)
}

// states returns the distinct consecutive states seen.
func (r *recorder) states() []State {
	var out []State
	for _, s := range r.statuses() {
		if len(out) == 0 || out[len(out)-1] != s.State {
			out = append(out, s.State)
		}
	}
	return out
}

// find returns the first status matching ok.
func (r *recorder) find(ok func(Status) bool) (Status, bool) {
	for _, s := range r.statuses() {
		if ok(s) {
			return s, true
		}
	}
	return Status{}, false
}

// waitState waits until the source is in one of states.
func waitState(t testing.TB, s *Source, d time.Duration, states ...State) Status {
	t.Helper()
	var st Status
	what := func() string { return fmt.Sprintf("state %v (last: %v)", states, st) }
	testutil.WaitFor(t, d, what, func() bool {
		st = s.Status()
		for _, want := range states {
			if st.State == want {
				return true
			}
		}
		return false
	})
	return st
}

// waitFrame waits for a frame newer than after with a deadline.
func waitFrame(t testing.TB, s *Source, after uint64, d time.Duration) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	seq, err := s.Wait(ctx, after)
	if err != nil {
		t.Fatalf("wait for a frame after %d from %s: %v (status: %v)", after, s.Spec(), err, s.Status())
	}
	return seq
}

// openT opens a source and closes it at the end of the test.
func openT(t testing.TB, spec string, opts Options) *Source {
	t.Helper()
	s, err := Open(context.Background(), spec, opts)
	if err != nil {
		t.Fatalf("open %s: %v", spec, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// isAny reports whether err wraps one of targets.
func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
