package testutil

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// RTSPServer is mediamtx on 127.0.0.1, RTSP over TCP only, plus an ffmpeg
// publishing a looping clip to /cam: a CCTV camera on loopback.
type RTSPServer struct {
	t               testing.TB
	bin, ffmpeg     string
	config, clip    string
	port            int
	server, publish *Proc
}

// NewRTSPServer prepares a server for clip (an MJPEG/H.264 file); Start
// runs it.
func NewRTSPServer(t testing.TB, clip string) *RTSPServer {
	t.Helper()
	r := &RTSPServer{t: t, bin: mediamtxBinary(t), ffmpeg: Tool(t, "ffmpeg"), clip: clip, port: FreePort(t)}
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

// mediamtxBinary finds the RTSP server built by tools/mediamtx.sh.
func mediamtxBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("HADIR_MEDIAMTX")
	if bin == "" {
		bin = filepath.Join(RepoRoot(t), ".tools", "bin", "mediamtx")
	}
	if _, err := os.Stat(bin); err != nil {
		Missing(t, "mediamtx (run tools/mediamtx.sh or set HADIR_MEDIAMTX): %v", err)
	}
	return bin
}

// URL is the stream's address.
func (r *RTSPServer) URL() string { return "rtsp://127.0.0.1:" + strconv.Itoa(r.port) + "/cam" }

// Start runs the server, waits until it accepts connections, then starts
// the publisher.
func (r *RTSPServer) Start() {
	t := r.t
	t.Helper()
	r.server = StartProc(t, r.bin, r.config)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
	WaitFor(t, 20*time.Second, func() string { return "mediamtx listening: " + r.server.Output() }, func() bool {
		if r.server.Exited() {
			t.Fatalf("mediamtx exited: %s", r.server.Output())
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	r.publish = StartProc(t, r.ffmpeg, "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", r.clip,
		"-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", r.URL())
}

// Stop kills the server and the publisher, like a crash or a power cut.
func (r *RTSPServer) Stop() {
	r.server.Stop()
	r.publish.Stop()
}
