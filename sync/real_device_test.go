package sync

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/storage"
)

// The kiosk process is SIGKILLed while the server holds a batch it will
// store (the kiosk never learns), and again at an arbitrary point of the
// next run; a third run finishes. Nothing is lost or stored twice.
func TestRealKioskKilledMidSync(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	srv := startServer(t)
	px := newFaultProxy(t, srv.addr, nil)
	dir := t.TempDir()
	s, err := storage.Open(dir, storeOptions())
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, s, nil, testOptions(t, px.url))
	registerKiosk(t, w, srv, px.url)
	recordEvents(t, s, 1000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	held, release := make(chan struct{}), make(chan struct{})
	px.setPolicy(onNth("/api/v1/events", fault{Kind: hold, Hook: func() {
		close(held)
		<-release
	}}, 3))
	c1 := startKioskChild(t, dir, 50)
	c1.expect(t, "ready")
	select {
	case <-held:
	case <-time.After(120 * time.Second):
		t.Fatal("the third batch never reached the proxy")
	}
	c1.kill()
	close(release) // the server now answers a kiosk that is gone
	waitFor(t, "the held batch stored", func() bool { return len(srv.eventIDs()) >= 150 })
	// Slow answers, so the second kill lands mid-run.
	px.setPolicy(func(int, *http.Request) fault { return fault{Kind: delayResp, Delay: 30 * time.Millisecond} })
	c2 := startKioskChild(t, dir, 50)
	c2.expect(t, "ready")
	waitFor(t, "the second run to make progress", func() bool { return len(srv.eventIDs()) >= 400 })
	c2.kill()
	if n := len(srv.eventIDs()); n >= 1000 {
		t.Errorf("the second run had finished (%d events on the server) before it was killed", n)
	}
	px.setPolicy(nil)

	c3 := startKioskChild(t, dir, 50)
	c3.expect(t, "done")
	c3.finish(t)

	s2 := openStore(t, dir)
	ids := kioskIDs(t, s2)
	if len(ids) != 1000 {
		t.Fatalf("kiosk has %d events, want 1000", len(ids))
	}
	checkSets(t, ids, srv.eventIDs(), outboxLen(t, s2))
}

// A revoked device stops with ErrRevoked, keeps its outbox, says so in
// its status, and syncs again once registered with a new code.
func TestRealRevokedDevice(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	k := newRealKiosk(t)
	recordEvents(t, k.s, 120)
	if err := k.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	recordEvents(t, k.s, 80)
	k.srv.cli("", "device", "revoke", k.s.DeviceID())
	err := k.w.Sync(context.Background())
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("Sync after revocation = %v, want ErrRevoked", err)
	}
	st := k.w.Status()
	if !st.Revoked || st.Online || st.Problem != ProblemRevoked || st.Pending != 80 {
		t.Errorf("status %+v", st)
	}
	if n := outboxLen(t, k.s); n != 80 {
		t.Fatalf("outbox %d, want the 80 unsent events kept", n)
	}
	registerKiosk(t, k.w, k.srv, k.px.url)
	if err := k.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	k.check(t)
}

// An event the server refuses (recorded under another device ID) is kept
// with the reason, listed for the admin and never sent again.
func TestRealRejectedEventKept(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	srv := startServer(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	w := newWorker(t, s, nil, testOptions(t, srv.url))
	registerKiosk(t, w, srv, srv.url)
	recordEvents(t, s, 10)
	_ = s.Close()
	// The same store opened under another device name signs one event
	// the server must refuse ("device_mismatch").
	o := storeOptions()
	o.DeviceID = "IMPOSTOR-KIOSK"
	imp, err := storage.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := imp.RecordEvent(context.Background(), sampleEvent(1, time.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = imp.Close()
	s = openStore(t, dir)
	recordEvents(t, s, 10)
	w = newWorker(t, s, nil, testOptions(t, srv.url))
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rej, err := w.Rejected(context.Background())
	if err != nil || len(rej) != 1 || rej[0].ID != bad.ID || !strings.Contains(rej[0].RejectReason, "device_mismatch") {
		t.Fatalf("rejected = %+v %v", rej, err)
	}
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	server := srv.eventIDs()
	if server[bad.ID] != 0 {
		t.Error("the refused event is on the server")
	}
	var good []string
	for _, id := range kioskIDs(t, s) {
		if id != bad.ID {
			good = append(good, id)
		}
	}
	checkSets(t, good, server, outboxLen(t, s))
}
