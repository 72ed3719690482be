package sync

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hadir-id/hadir/storage"
)

// Fault scenarios against the real hadir-server (SQLite) and real kiosk
// stores. Each ends with the invariant of issue 8: the server holds
// exactly the kiosk's event IDs, each once, and the outbox is empty.

type realKiosk struct {
	srv *realServer
	px  *faultProxy
	s   *storage.Store
	w   *Worker
	g   *fakeGallery
}

// newRealKiosk starts a server, a fault proxy in front of it and a
// kiosk registered through the proxy.
func newRealKiosk(t *testing.T, mutate ...func(*Options)) realKiosk {
	t.Helper()
	srv := startServer(t)
	px := newFaultProxy(t, srv.addr, nil)
	s := openStore(t, t.TempDir())
	g := newFakeGallery()
	o := testOptions(t, px.url)
	o.BatchSize = 100
	for _, m := range mutate {
		m(&o)
	}
	w := newWorker(t, s, g, o)
	registerKiosk(t, w, srv, px.url)
	return realKiosk{srv, px, s, w, g}
}

func (k realKiosk) check(t *testing.T) {
	t.Helper()
	checkSets(t, kioskIDs(t, k.s), k.srv.eventIDs(), outboxLen(t, k.s))
}

func TestRealNormalPushSeveralBatches(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	k := newRealKiosk(t)
	recordEvents(t, k.s, 450)
	if err := k.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	k.check(t)
	if n := k.px.requests("/api/v1/events"); n != 5 {
		t.Errorf("%d POSTs for 450 events in batches of 100, want 5", n)
	}
	// Events recorded later go in the next cycle.
	recordEvents(t, k.s, 30)
	if err := k.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	k.check(t)
	st := k.w.Status()
	if !st.Online || st.Pending != 0 || st.Problem != "" || st.LastSuccess.IsZero() {
		t.Errorf("status %+v", st)
	}
}

// The server is SIGKILLed while it has a batch in hand, then restarted
// on the same port and database.
func TestRealServerKilledMidBatch(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	k := newRealKiosk(t)
	recordEvents(t, k.s, 450)
	k.px.setPolicy(onNth("/api/v1/events", fault{Kind: hold, Hook: k.srv.kill}, 2))
	err := k.w.Sync(context.Background())
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("Sync with the server killed = %v, want ErrOffline", err)
	}
	if st := k.w.Status(); st.Online || st.Problem != ProblemOffline {
		t.Errorf("status while the server is down: %+v", st)
	}
	if err := k.w.Sync(context.Background()); !errors.Is(err, ErrOffline) {
		t.Fatalf("Sync with no server = %v, want ErrOffline", err)
	}
	k.srv.restart()
	syncUntilClean(t, k.w, 5)
	k.check(t)
}

// The connection is cut after N bytes, in either direction.
func TestRealProxyCutsConnections(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	cases := []struct {
		name string
		f    fault
	}{
		{"request cut in the headers", fault{Kind: cutRequest, N: 100}},
		{"request cut in the body", fault{Kind: cutRequest, N: 5000}},
		{"request cut near the end", fault{Kind: cutRequest, N: 60000}},
		{"answer cut in the status line", fault{Kind: cutResponse, N: 10}},
		{"answer cut in the body", fault{Kind: cutResponse, N: 300}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newRealKiosk(t)
			recordEvents(t, k.s, 350)
			k.px.setPolicy(onNth("/api/v1/events", tc.f, 2, 3))
			errs := syncUntilClean(t, k.w, 10)
			if len(errs) == 0 {
				t.Fatal("no sync failed: the fault did not bite")
			}
			for _, err := range errs {
				if !isNetErr(err) {
					t.Errorf("unexpected error %v", err)
				}
			}
			k.check(t)
		})
	}
}

// The server (or something in front of it) answers 500/503 in bursts.
func TestReal5xxBursts(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	k := newRealKiosk(t)
	recordEvents(t, k.s, 350)
	k.px.setPolicy(func(n int, r *http.Request) fault {
		switch {
		case r.URL.Path == "/api/v1/events" && n%3 != 0:
			return fault{Kind: status, Status: []int{500, 503}[n%2]}
		case r.URL.Path == "/api/v1/roster" && n == 1:
			return fault{Kind: status, Status: 503}
		}
		return fault{}
	})
	errs := syncUntilClean(t, k.w, 20)
	if len(errs) < 4 {
		t.Errorf("only %d failed cycles", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, ErrServer) {
			t.Errorf("error %v, want ErrServer", err)
		}
	}
	k.check(t)
}

// The server stores a batch but the acknowledgement never arrives
// (dropped, or so late the kiosk gave up): the resend is answered
// "duplicate" and nothing is stored twice. Not parallel: the kiosk's
// timeout is 1 s here, and the batches before the lost one must beat it.
func TestRealLostAck(t *testing.T) {
	cases := []struct {
		name string
		f    fault
	}{
		{"answer dropped", fault{Kind: dropResponse}},
		{"answer later than the kiosk's timeout", fault{Kind: delayResp, Delay: 2500 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newRealKiosk(t, func(o *Options) { o.Timeout = time.Second })
			recordEvents(t, k.s, 450)
			k.px.setPolicy(onNth("/api/v1/events", tc.f, 2, 4))
			before := len(k.srv.eventIDs())
			err := k.w.Sync(context.Background())
			if !errors.Is(err, ErrOffline) {
				t.Fatalf("Sync = %v, want ErrOffline", err)
			}
			if got := len(k.srv.eventIDs()); got != before+200 {
				t.Fatalf("server has %d events after the lost ack, want %d (batch 2 stored)", got, before+200)
			}
			if n := outboxLen(t, k.s); n != 350 {
				t.Fatalf("outbox %d, want 350: the unacknowledged batch must stay", n)
			}
			syncUntilClean(t, k.w, 10)
			k.check(t)
		})
	}
}
