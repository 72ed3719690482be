package camera

import (
	"context"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

func TestRTSPStreamSurvivesServerRestart(t *testing.T) {
	v := makeVideos(t)
	srv := testutil.NewRTSPServer(t, v.v640)
	srv.Start()

	rec := &recorder{}
	opts := testOptions()
	opts.Backoff = Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 2, Jitter: 0.2}
	opts.OnStatus = rec.observe
	s := openT(t, srv.URL(), opts)

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
	srv.Stop()
	var lost Status
	testutil.WaitFor(t, 30*time.Second, func() string { return "reconnecting after the server died: " + s.Status().String() }, func() bool {
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

	srv.Start()
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
	res, err := Probe(context.Background(), srv.URL(), "")
	if err != nil {
		t.Fatalf("probe %s: %v", srv.URL(), err)
	}
	if res.Kind != KindNetwork || res.Info.Width != 640 || res.Info.Height != 480 || res.MeasuredFPS <= 0 {
		t.Errorf("probe = %+v, want a live 640x480 stream with a measured rate", res)
	}
}
