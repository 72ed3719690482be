package testutil

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/pion/rtp"
)

// RTSPServer is a CCTV camera on loopback: an RTSP relay on 127.0.0.1
// (TCP only) that an ffmpeg publishes a looping clip to, and that the
// camera under test reads from, as from a recorder or an NVR.
//
// The relay is gortsplib, the RTSP stack inside mediamtx, run inside the
// test process: it speaks the same protocol over a real socket, and costs a
// fresh machine's `make test` a few seconds of compiling instead of the
// 200 CPU-seconds of building mediamtx.
type RTSPServer struct {
	t           testing.TB
	ffmpeg      string
	clip        string
	port        int
	relay       *relay
	publish     *Proc
	stopOnClean sync.Once
}

// NewRTSPServer prepares a server for clip (an MJPEG/H.264 file); Start
// runs it.
func NewRTSPServer(t testing.TB, clip string) *RTSPServer {
	t.Helper()
	return &RTSPServer{t: t, ffmpeg: Tool(t, "ffmpeg"), clip: clip, port: FreePort(t)}
}

// URL is the stream's address.
func (r *RTSPServer) URL() string { return "rtsp://127.0.0.1:" + strconv.Itoa(r.port) + "/cam" }

// Start runs the server, waits until it accepts connections, then starts
// the publisher.
func (r *RTSPServer) Start() {
	t := r.t
	t.Helper()
	r.stopOnClean.Do(func() { t.Cleanup(r.Stop) })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
	// The port may still be held for a moment by the previous server's
	// last connections after Stop: retry the listen as a restarted
	// camera service would.
	var err error
	WaitFor(t, 20*time.Second, func() string { return fmt.Sprintf("rtsp relay listening on %s: %v", addr, err) }, func() bool {
		rl := &relay{}
		rl.server = &gortsplib.Server{Handler: rl, RTSPAddress: addr}
		if err = rl.server.Start(); err != nil {
			return false
		}
		r.relay = rl
		return true
	})
	r.publish = StartProc(t, r.ffmpeg, "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", r.clip,
		"-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", r.URL())
}

// Stop closes the server with every connection and kills the publisher,
// as a crash or a power cut of the camera would. Stopping a stopped
// server does nothing.
func (r *RTSPServer) Stop() {
	if r.relay != nil {
		r.relay.server.Close()
		r.relay = nil
	}
	if r.publish != nil {
		r.publish.Stop()
		r.publish = nil
	}
}

// relay forwards what the one publisher sends to every reader. Readers
// that come before the publisher are told 404, as mediamtx does, and
// retry.
type relay struct {
	server *gortsplib.Server

	mu        sync.Mutex
	stream    *gortsplib.ServerStream
	publisher *gortsplib.ServerSession
}

// Each answer is a new Response: gortsplib adds its headers to it.
func ok() *base.Response       { return &base.Response{StatusCode: base.StatusOK} }
func notFound() *base.Response { return &base.Response{StatusCode: base.StatusNotFound} }

// current returns the stream being published, if any.
func (rl *relay) current() *gortsplib.ServerStream {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.stream
}

// OnSessionClose ends the stream when its publisher goes, which
// disconnects the readers.
func (rl *relay) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.stream != nil && ctx.Session == rl.publisher {
		rl.stream.Close()
		rl.stream, rl.publisher = nil, nil
	}
}

func (rl *relay) OnDescribe(*gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if s := rl.current(); s != nil {
		return ok(), s, nil
	}
	return notFound(), nil, nil
}

// OnAnnounce takes a new publisher, replacing any earlier one.
func (rl *relay) OnAnnounce(ctx *gortsplib.ServerHandlerOnAnnounceCtx) (*base.Response, error) {
	s := &gortsplib.ServerStream{Server: rl.server, Desc: ctx.Description}
	if err := s.Initialize(); err != nil {
		return &base.Response{StatusCode: base.StatusBadRequest}, err
	}
	rl.mu.Lock()
	old, oldPub := rl.stream, rl.publisher
	rl.stream, rl.publisher = s, ctx.Session
	rl.mu.Unlock()
	if old != nil {
		old.Close()
		oldPub.Close()
	}
	return ok(), nil
}

func (rl *relay) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if ctx.Session.State() == gortsplib.ServerSessionStatePreRecord {
		return ok(), nil, nil // the publisher's own SETUP
	}
	if s := rl.current(); s != nil {
		return ok(), s, nil
	}
	return notFound(), nil, nil
}

func (rl *relay) OnPlay(*gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) { return ok(), nil }

// OnRecord routes each packet of the publisher to the stream it
// announced; a publisher since replaced gets 404.
func (rl *relay) OnRecord(ctx *gortsplib.ServerHandlerOnRecordCtx) (*base.Response, error) {
	rl.mu.Lock()
	s, current := rl.stream, rl.publisher == ctx.Session
	rl.mu.Unlock()
	if s == nil || !current {
		return notFound(), nil
	}
	ctx.Session.OnPacketRTPAny(func(m *description.Media, _ format.Format, pkt *rtp.Packet) {
		// A packet for a stream already replaced or closed is dropped.
		_ = s.WritePacketRTP(m, pkt)
	})
	return ok(), nil
}
