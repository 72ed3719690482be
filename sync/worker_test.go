package sync

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/storage"
)

type fakeSetup struct {
	f *fakeServer
	s *storage.Store
	w *Worker
	g *fakeGallery
}

// registered is a kiosk registered with a fresh fake server.
func registered(t *testing.T, mutate ...func(*Options)) fakeSetup {
	t.Helper()
	f := newFakeServer(t)
	s := openStore(t, t.TempDir())
	g := newFakeGallery()
	o := testOptions(t, f.srv.URL)
	for _, m := range mutate {
		m(&o)
	}
	w := newWorker(t, s, g, o)
	if err := w.Register(context.Background(), "", "CODE-1", "Lobby BKPSDM"); err != nil {
		t.Fatalf("register: %v", err)
	}
	return fakeSetup{f, s, w, g}
}

func TestPushBatchesAndAcknowledges(t *testing.T) {
	fs := registered(t, func(o *Options) { o.BatchSize = 100 })
	ids := recordEvents(t, fs.s, 1234)
	if err := fs.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkSets(t, ids, fs.f.eventSet(), outboxLen(t, fs.s))
	if n := fs.f.count("/api/v1/events"); n != 13 {
		t.Errorf("%d POSTs for 1234 events in batches of 100, want 13", n)
	}
	st := fs.w.Status()
	if !st.Online || st.Pending != 0 || st.LastSuccess.IsZero() || st.Problem != "" || !st.Registered {
		t.Errorf("status after a clean sync: %+v", st)
	}
}

func TestPushAnswerMismatchMarksNothing(t *testing.T) {
	cases := []struct {
		name   string
		answer func(ids []string) []api.EventResult
	}{
		{"too few results", func(ids []string) []api.EventResult {
			return []api.EventResult{{ID: ids[0], Status: api.ResultAccepted}}
		}},
		{"other IDs", func(ids []string) []api.EventResult {
			out := make([]api.EventResult, len(ids))
			for i := range ids {
				out[i] = api.EventResult{ID: "X" + strconv.Itoa(i), Status: api.ResultAccepted}
			}
			return out
		}},
		{"unknown status", func(ids []string) []api.EventResult {
			out := make([]api.EventResult, len(ids))
			for i, id := range ids {
				out[i] = api.EventResult{ID: id, Status: "maybe"}
			}
			return out
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := registered(t)
			recordEvents(t, fs.s, 5)
			fs.f.fault = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/api/v1/events" {
					return false
				}
				var ids []string
				for _, e := range mustDecodeEvents(t, r) {
					ids = append(ids, e.ID)
				}
				fs.f.reply(w, 200, map[string]any{"results": tc.answer(ids), "chain": api.ChainReport{OK: true}})
				return true
			}
			err := fs.w.Sync(context.Background())
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("Sync = %v, want ErrProtocol", err)
			}
			if n := outboxLen(t, fs.s); n != 5 {
				t.Fatalf("outbox %d after a mismatched answer, want 5", n)
			}
			if st := fs.w.Status(); st.Problem != ProblemProtocol {
				t.Errorf("status problem %q", st.Problem)
			}
		})
	}
}

func TestPushHalvesBatchOn413(t *testing.T) {
	fs := registered(t, func(o *Options) { o.BatchSize = 400 })
	fs.f.maxEvents = 120
	ids := recordEvents(t, fs.s, 700)
	if err := fs.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkSets(t, ids, fs.f.eventSet(), outboxLen(t, fs.s))
	// 400 -> 413, 200 -> 413, 100 accepted x7.
	if n := fs.f.count("/api/v1/events"); n != 9 {
		t.Errorf("%d POSTs, want 9", n)
	}
}

func TestRejectedKeptWithReasonAndNotRetried(t *testing.T) {
	fs := registered(t)
	ids := recordEvents(t, fs.s, 30)
	bad := nip(7) // events 7, ... carry this NIP
	fs.f.rejectNIP[bad] = "nip_unknown: not in SIMPEG"
	if err := fs.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rej, err := fs.w.Rejected(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 1 || rej[0].ID != ids[7] || rej[0].RejectReason != "nip_unknown: not in SIMPEG" {
		t.Fatalf("rejected = %+v", rej)
	}
	posts := fs.f.count("/api/v1/events")
	if err := fs.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fs.f.count("/api/v1/events"); n != posts {
		t.Errorf("a second sync posted again (%d -> %d): rejected events must not be retried", posts, n)
	}
	if len(fs.f.eventSet()) != 29 || outboxLen(t, fs.s) != 0 {
		t.Errorf("server %d events, outbox %d", len(fs.f.eventSet()), outboxLen(t, fs.s))
	}
}

func TestRevokedStopsAndKeepsOutbox(t *testing.T) {
	clk := newFakeClock()
	fs := registered(t, func(o *Options) { o.Clock = clk })
	recordEvents(t, fs.s, 10)
	fs.f.mu.Lock()
	fs.f.revoked[fs.s.DeviceID()] = true
	fs.f.mu.Unlock()
	err := fs.w.Sync(context.Background())
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("Sync = %v, want ErrRevoked", err)
	}
	st := fs.w.Status()
	if !st.Revoked || st.Online || st.Problem != ProblemRevoked || !strings.Contains(st.LastError, "revoked") {
		t.Errorf("status %+v", st)
	}
	if n := outboxLen(t, fs.s); n != 10 {
		t.Errorf("outbox %d, want 10 kept", n)
	}
	// Run tries once, parks (no timer, no request) until re-registered.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	reqs := fs.f.total() // before Run starts: its one attempt may come at once
	go func() { done <- fs.w.Run(ctx) }()
	waitFor(t, "Run's first attempt", func() bool { return fs.f.total() > reqs })
	fs.f.codes["CODE-2"] = true
	if err := fs.w.Register(context.Background(), "", "CODE-2", "Lobby BKPSDM"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "outbox drained after re-registration", func() bool { return outboxLen(t, fs.s) == 0 })
	waitFor(t, "Run waiting its interval", func() bool { return len(clk.timers()) > 0 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	for _, d := range clk.timers() {
		if d != fs.w.opts.Interval {
			t.Errorf("Run waited %v: a revoked device must park, not back off", d)
		}
	}
	if st := fs.w.Status(); st.Revoked || !st.Online {
		t.Errorf("status after re-registration %+v", st)
	}
}

func TestRegisterErrors(t *testing.T) {
	f := newFakeServer(t)
	s := openStore(t, t.TempDir())
	w := newWorker(t, s, nil, testOptions(t, f.srv.URL))
	ctx := context.Background()
	if err := w.Sync(ctx); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("unregistered Sync = %v", err)
	}
	if st := w.Status(); st.Registered || st.Problem != ProblemNotRegistered {
		t.Errorf("status %+v", st)
	}
	if err := w.Register(ctx, "", "WRONG", "Lobby"); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("bad code: %v", err)
	}
	if err := w.Register(ctx, "ftp://x", "CODE-1", "Lobby"); err == nil {
		t.Fatal("ftp URL accepted")
	}
	if err := w.Register(ctx, "", "CODE-1", "Lobby"); err != nil {
		t.Fatal(err)
	}
	f.codes["CODE-2"] = true
	if err := w.Register(ctx, "", "CODE-2", "Lobby"); !errors.Is(err, ErrDeviceExists) {
		t.Fatalf("second registration: %v", err)
	}
	tok, err := s.Secret(ctx, secretToken)
	if err != nil || !strings.HasPrefix(string(tok), "tok-") {
		t.Fatalf("token %q %v", tok, err)
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	found := false
	for _, a := range log {
		if a.Action == ActionRegister && a.Actor == Actor && !strings.Contains(a.Detail, string(tok)) {
			found = true
		}
		if strings.Contains(a.Detail, string(tok)) {
			t.Errorf("token in audit log: %+v", a)
		}
	}
	if !found {
		t.Error("registration not audited")
	}
}

func TestClockOffsetMeasuredPersistedAndReported(t *testing.T) {
	fs := registered(t, func(o *Options) { o.HeartbeatInterval = time.Nanosecond })
	fs.f.mu.Lock()
	fs.f.skew = 90 * time.Second
	fs.f.mu.Unlock()
	// The first cycle measures the offset, the second's heartbeat (the
	// first step of a cycle) reports it.
	for range 2 {
		if err := fs.w.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	off := fs.w.ClockOffset()
	if off < 89*time.Second || off > 91*time.Second {
		t.Fatalf("offset %v, want ~90s", off)
	}
	if st := fs.w.Status(); !st.ClockWarning || st.ClockOffset != off {
		t.Errorf("status %+v", st)
	}
	fs.f.mu.Lock()
	hb := fs.f.heartbeats[len(fs.f.heartbeats)-1]
	fs.f.mu.Unlock()
	if d := time.Duration(hb.ClockOffsetNS); d < 89*time.Second || d > 91*time.Second || hb.AppVersion != "test" || hb.FreeDiskBytes == 0 {
		t.Errorf("heartbeat %+v", hb)
	}
	// A new worker (a restarted kiosk) starts from the saved offset.
	w2 := newWorker(t, fs.s, nil, testOptions(t, fs.f.srv.URL))
	if got := w2.ClockOffset(); got-off > offsetPersistStep || off-got > offsetPersistStep {
		t.Errorf("restarted worker offset %v, want ~%v", got, off)
	}
	if !w2.Status().ClockWarning {
		t.Error("restarted worker lost the clock warning")
	}
}

func TestOffsetArithmetic(t *testing.T) {
	base := time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		serverTime string
		date       string
		send, recv time.Duration // after base
		want       time.Duration
	}{
		{"midpoint", base.Add(5 * time.Second).Format(time.RFC3339Nano), "", 0, 2 * time.Second, 4 * time.Second},
		{"device ahead", base.Add(-time.Minute).Format(time.RFC3339Nano), "", 0, 0, -time.Minute},
		{"date header fallback", "", base.Add(10 * time.Second).Format(http.TimeFormat), 0, 0, 10500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got time.Duration
			a := &conn{onOffset: func(d time.Duration) { got = d }}
			a.measure(tc.serverTime, tc.date, base.Add(tc.send), base.Add(tc.recv))
			if got != tc.want {
				t.Errorf("offset %v, want %v", got, tc.want)
			}
		})
	}
}

func mustDecodeEvents(t *testing.T, r *http.Request) []api.Event {
	t.Helper()
	var req struct {
		Events []api.Event `json:"events"`
	}
	if err := jsonDecode(r, &req); err != nil {
		t.Error(err)
	}
	return req.Events
}

// A failing heartbeat endpoint must not hold attendance back.
func TestHeartbeatFailureDoesNotBlockPush(t *testing.T) {
	fs := registered(t)
	ids := recordEvents(t, fs.s, 40)
	fs.f.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/v1/devices/heartbeat" {
			fs.f.fail(w, http.StatusBadRequest, "bad_request")
			return true
		}
		return false
	}
	if err := fs.w.Sync(context.Background()); err != nil {
		t.Fatalf("Sync = %v", err)
	}
	checkSets(t, ids, fs.f.eventSet(), outboxLen(t, fs.s))
}
