package camera

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

// proc is a child process a test owns: stop kills it and waits, and runs
// from t.Cleanup too, so no process outlives its test.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	once sync.Once
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: filepath.Base(name), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// stop kills the process and waits for it (idempotent).
func (p *proc) stop() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// mediamtxBinary finds the RTSP server built by tools/mediamtx.sh.
func mediamtxBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("HADIR_MEDIAMTX")
	if bin == "" {
		bin = filepath.Join(testutil.RepoRoot(t), ".tools", "bin", "mediamtx")
	}
	if _, err := os.Stat(bin); err != nil {
		testutil.Missing(t, "mediamtx (run tools/mediamtx.sh or set HADIR_MEDIAMTX): %v", err)
	}
	return bin
}

// rtspServer is mediamtx on 127.0.0.1:port, RTSP over TCP only, plus an
// ffmpeg publishing a looping clip to /cam.
type rtspServer struct {
	t               *testing.T
	bin, ffmpeg     string
	config, clip    string
	port            int
	server, publish *proc
}

func newRTSPServer(t *testing.T, clip string) *rtspServer {
	r := &rtspServer{t: t, bin: mediamtxBinary(t), ffmpeg: testutil.Tool(t, "ffmpeg"), clip: clip, port: freePort(t)}
	r.config = filepath.Join(t.TempDir(), "mediamtx.yml")
	conf := fmt.Sprintf(`logLevel: warn
logDestinations: [stdout]
api: no
metrics: no
pprof: no
playback: no
rtmp: no
hls: no
webrtc: no
srt: no
rtsp: yes
rtspTransports: [tcp]
rtspEncryption: "no"
rtspAddress: 127.0.0.1:%d
paths:
  all_others:
`, r.port)
	if err := os.WriteFile(r.config, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rtspServer) url() string { return "rtsp://127.0.0.1:" + strconv.Itoa(r.port) + "/cam" }

// start runs the server, waits until it accepts connections, then starts
// the publisher.
func (r *rtspServer) start() {
	t := r.t
	t.Helper()
	r.server = startProc(t, r.bin, r.config)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
	waitFor(t, 20*time.Second, func() string { return "mediamtx listening: " + r.server.out.String() }, func() bool {
		if r.server.exited() {
			t.Fatalf("mediamtx exited: %s", r.server.out.String())
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	r.publish = startProc(t, r.ffmpeg, "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", r.clip,
		"-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", r.url())
}

// stop kills the server and the publisher, like a crash or a power cut.
func (r *rtspServer) stop() {
	r.server.stop()
	r.publish.stop()
}

func TestRTSPStreamSurvivesServerRestart(t *testing.T) {
	v := makeVideos(t)
	srv := newRTSPServer(t, v.v640)
	srv.start()

	rec := &recorder{}
	opts := testOptions()
	opts.Backoff = Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 2, Jitter: 0.2}
	opts.OnStatus = rec.observe
	s := openT(t, srv.url(), opts)

	seq := waitFrame(t, s, 0, 30*time.Second)
	for i := 0; i < 10; i++ {
		seq = waitFrame(t, s, seq, 10*time.Second)
	}
	live := s.Status()
	if live.State != StateLive || live.Info.Width != 640 || live.Info.Height != 480 {
		t.Fatalf("status %v, want live 640x480", live)
	}
	f := NewFrame()
	defer f.Close()
	if _, ok := s.Latest(f); !ok || f.Empty() {
		t.Fatal("no frame from the RTSP stream")
	}

	before := len(rec.statuses())
	srv.stop()
	var lost Status
	waitFor(t, 30*time.Second, func() string { return "reconnecting after the server died: " + s.Status().String() }, func() bool {
		all := rec.statuses()
		for _, st := range all[before:] {
			if st.State == StateReconnecting {
				lost = st
				return true
			}
		}
		return false
	})
	if lost.Attempt != 1 || lost.Err == nil {
		t.Errorf("first status after the server died = %v, want reconnecting attempt 1 with a reason", lost)
	}

	srv.start()
	after := lost.Frames
	seq = waitFrame(t, s, after, 60*time.Second)
	for i := 0; i < 10; i++ {
		seq = waitFrame(t, s, seq, 10*time.Second)
	}
	if st := s.Status(); st.State != StateLive || st.Attempt != 0 {
		t.Errorf("after the restart: %v, want live", st)
	}
	if _, ok := s.Latest(f); !ok || f.Seq <= after {
		t.Errorf("Latest after the restart = seq %d, want > %d", f.Seq, after)
	}
	var attempts int
	for _, st := range rec.statuses()[before:] {
		if st.State == StateReconnecting {
			attempts = max(attempts, st.Attempt)
		}
	}
	t.Logf("recovered after %d reconnect attempts; %d frames in total", attempts, seq)

	// The probe sees the same stream and measures its rate.
	res, err := Probe(context.Background(), srv.url(), "")
	if err != nil {
		t.Fatalf("probe %s: %v", srv.url(), err)
	}
	if res.Kind != KindNetwork || res.Info.Width != 640 || res.Info.Height != 480 || res.MeasuredFPS <= 0 {
		t.Errorf("probe = %+v, want a live 640x480 stream with a measured rate", res)
	}
}
