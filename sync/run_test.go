package sync

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunBackoffResetAndSyncNow drives Run with a fake clock: failures
// wait 0.5 x (10ms, 20ms, 40ms) (jitter fixed at 0.5), SyncNow skips the
// wait, success waits the interval and resets the backoff.
func TestRunBackoffResetAndSyncNow(t *testing.T) {
	clk := newFakeClock()
	fs := registered(t, func(o *Options) {
		o.Clock, o.Rand = clk, seq(0.5)
		o.MinBackoff, o.MaxBackoff = 10*time.Millisecond, 30*time.Millisecond
	})
	recordEvents(t, fs.s, 3)
	var failing atomic.Bool
	failing.Store(true)
	fs.f.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if failing.Load() {
			fs.f.fail(w, http.StatusServiceUnavailable, "unavailable")
			return true
		}
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fs.w.Run(ctx) }()
	ms := time.Millisecond
	steps := []struct {
		name string
		act  func()
		want time.Duration
	}{
		{"first failure", func() {}, 5 * ms},
		{"second failure", clk.fire, 10 * ms},
		{"third failure", clk.fire, 15 * ms}, // capped at 30ms
		{"sync now skips the wait and succeeds", func() { failing.Store(false); fs.w.SyncNow() }, time.Hour},
		{"failure after success starts over", func() { failing.Store(true); clk.fire() }, 5 * ms},
	}
	for i, st := range steps {
		st.act()
		waitFor(t, st.name, func() bool { return len(clk.timers()) > i })
		if got := clk.timers()[i]; got != st.want {
			t.Errorf("%s: waited %v, want %v", st.name, got, st.want)
		}
	}
	if n := outboxLen(t, fs.s); n != 0 {
		t.Errorf("outbox %d after the successful cycle", n)
	}
	if st := fs.w.Status(); st.Online || st.Problem != ProblemServer {
		t.Errorf("status while failing: %+v", st)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}
