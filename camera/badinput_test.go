package camera

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

// silentServer accepts TCP connections and never answers: the case that
// hangs an FFmpeg open for 30 s without a socket timeout.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

// garbageServer answers every HTTP request with random bytes.
func garbageServer(t *testing.T) string {
	t.Helper()
	junk := make([]byte, 256<<10)
	rand.Read(junk)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(junk)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/stream.mjpg"
}

func TestBadInputReportsAClearStatus(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mp4")
	junk := make([]byte, 200<<10)
	rand.Read(junk)
	if err := os.WriteFile(garbage, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	closedPort := testutil.FreePort(t)

	cases := []struct {
		name      string
		spec      string
		attempts  int     // MaxAttempts (live sources)
		want      []error // any of these
		reconnect bool    // a live source retries before failing
		hide      string  // must not appear in the status (a password)
	}{
		{"missing file", filepath.Join(dir, "nope.mp4"), 0, []error{ErrNotFound}, false, ""},
		{"garbage named .mp4", garbage, 0, []error{ErrOpen, ErrNoFrames}, false, ""},
		{"empty folder", empty, 0, []error{ErrNoFrames}, false, ""},
		{"device index 42", "42", 2, []error{ErrNotFound}, true, ""},
		{"device /dev/video99", "/dev/video99", 2, []error{ErrNotFound}, true, ""},
		{"device node that is no camera", "/dev/null", 2, []error{ErrOpen, ErrNoFrames}, true, ""},
		{"rtsp to a closed port", fmt.Sprintf("rtsp://admin:s3cret@127.0.0.1:%d/cam", closedPort), 2, []error{ErrOpen}, true, "s3cret"},
		{"http stream of garbage", garbageServer(t), 2, []error{ErrOpen, ErrNoFrames}, true, ""},
		{"rtsp server that never answers", "rtsp://" + silentServer(t) + "/cam", 1, []error{ErrOpen, ErrNoFrames}, false, ""},
		{"http server that never answers", "http://" + silentServer(t) + "/video.mjpg", 1, []error{ErrOpen, ErrNoFrames}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			opts := testOptions()
			opts.MaxAttempts = c.attempts
			opts.OpenTimeout = time.Second
			opts.OnStatus = rec.observe
			s := openT(t, c.spec, opts)

			st := waitState(t, s, 30*time.Second, StateFailed)
			if !isAny(st.Err, c.want...) {
				t.Errorf("error = %v, want one of %v", st.Err, c.want)
			}
			shown := s.Spec().String()
			if !strings.Contains(st.Err.Error(), shown) {
				t.Errorf("error %q does not name the source %q", st.Err, shown)
			}
			if c.hide != "" && (strings.Contains(st.String(), c.hide) || strings.Contains(st.Source, c.hide)) {
				t.Errorf("status leaks the password: %v", st)
			}
			if c.attempts > 0 && st.Attempt != c.attempts {
				t.Errorf("failed after %d attempts, want %d", st.Attempt, c.attempts)
			}
			if r, ok := rec.find(func(s Status) bool { return s.State == StateReconnecting }); ok != c.reconnect {
				t.Errorf("reconnecting seen = %v, want %v (states %v)", ok, c.reconnect, rec.states())
			} else if ok && (r.Attempt != 1 || r.Err == nil) {
				t.Errorf("first reconnecting status = %v, want attempt 1 with a reason", r)
			}
			if _, err := s.Wait(context.Background(), 0); !isAny(err, c.want...) {
				t.Errorf("Wait = %v, want the failure", err)
			}
			f := NewFrame()
			defer f.Close()
			if _, ok := s.Latest(f); ok {
				t.Error("a failed source returned a frame")
			}
		})
	}
}

func TestOpenRejectsBadSpecs(t *testing.T) {
	for _, spec := range []string{"", "   ", "-1", "ftp://host/cam", "rtsp://", "gopher://x"} {
		s, err := Open(context.Background(), spec, testOptions())
		if !errors.Is(err, ErrBadSpec) {
			t.Errorf("Open(%q) = %v, want ErrBadSpec", spec, err)
		}
		if s != nil {
			s.Close()
		}
	}
}

// instantClock fires every timer at once and records the waits asked for,
// so the backoff policy is checked without waiting for it.
type instantClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *instantClock) Now() time.Time { return time.Now() }

func (c *instantClock) NewTimer(time.Duration) Timer {
	return &instantTimer{c: c, ch: make(chan time.Time, 1)}
}

func (c *instantClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

type instantTimer struct {
	c  *instantClock
	ch chan time.Time
}

func (t *instantTimer) C() <-chan time.Time { return t.ch }

func (t *instantTimer) Reset(d time.Duration) {
	t.c.mu.Lock()
	t.c.waits = append(t.c.waits, d)
	t.c.mu.Unlock()
	select {
	case t.ch <- time.Now():
	default:
	}
}

func (t *instantTimer) Stop() {
	select {
	case <-t.ch:
	default:
	}
}

func TestReconnectBackoffGrowsToItsCap(t *testing.T) {
	clock := &instantClock{}
	rec := &recorder{}
	opts := testOptions()
	opts.Clock = clock
	opts.Backoff = Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond, Factor: 2, Jitter: 0}
	opts.MaxAttempts = 6
	opts.OnStatus = rec.observe
	s := openT(t, "/dev/video99", opts)
	st := waitState(t, s, 10*time.Second, StateFailed)
	if st.Attempt != 6 {
		t.Errorf("gave up after %d attempts, want 6", st.Attempt)
	}
	want := []time.Duration{10, 20, 40, 40, 40}
	got := clock.recorded()
	if len(got) != len(want) {
		t.Fatalf("waits = %v, want %v ms", got, want)
	}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Errorf("wait %d = %v, want %v", i+1, got[i], want[i]*time.Millisecond)
		}
	}
	var attempts []int
	for _, s := range rec.statuses() {
		if s.State == StateReconnecting {
			attempts = append(attempts, s.Attempt)
		}
	}
	if fmt.Sprint(attempts) != "[1 2 3 4 5]" {
		t.Errorf("reconnecting attempts = %v, want [1 2 3 4 5]", attempts)
	}
}
