package sync

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// The refusal is a sentinel the settings screen can show; the lab flag
// allows it and says so in the log; Register refuses it as well.
func TestInsecureURLSentinelAndLabFlag(t *testing.T) {
	s := openStore(t, t.TempDir())
	if _, err := New(s, nil, Options{ServerURL: "http://10.1.2.3"}); !errors.Is(err, ErrInsecureURL) || problemOf(err) != ProblemInsecureURL {
		t.Errorf("New = %v, want ErrInsecureURL", err)
	}
	var logs bytes.Buffer
	lab := Options{ServerURL: "http://10.1.2.3", AllowInsecureHTTP: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if _, err := New(s, nil, lab); err != nil {
		t.Fatalf("lab flag: %v", err)
	}
	if !strings.Contains(logs.String(), "plain http") {
		t.Errorf("lab flag not logged: %q", logs.String())
	}
	w, err := New(s, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Register(context.Background(), "http://10.1.2.3", "CODE", "Lobby"); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("Register over plain http = %v, want ErrInsecureURL", err)
	}
}

// A kiosk registered before device secrets (no secret on either side)
// re-keys on its next sync and sends its whole outbox; a kiosk that lost
// its secret while the server has one is told to register again and
// keeps its events.
func TestRealLegacyKioskRekeys(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	k := newRealKiosk(t)
	ctx := context.Background()
	ids := recordEvents(t, k.s, 120)
	if err := k.s.DeleteSecret(ctx, secretDevice); err != nil {
		t.Fatal(err)
	}
	k.srv.exec(t, "UPDATE devices SET secret = NULL")
	if err := k.w.Sync(ctx); err != nil {
		t.Fatalf("sync of a legacy kiosk: %v", err)
	}
	k.check(t)
	if n := len(k.srv.eventIDs()); n != len(ids) {
		t.Errorf("server holds %d events, want %d", n, len(ids))
	}
	if n := k.px.requests("/api/v1/devices/rekey"); n != 1 {
		t.Errorf("%d rekey requests, want 1", n)
	}
	// The secret is gone from the kiosk but not from the server.
	if err := k.s.DeleteSecret(ctx, secretDevice); err != nil {
		t.Fatal(err)
	}
	recordEvents(t, k.s, 5)
	err := k.w.Sync(ctx)
	if !errors.Is(err, ErrRekeyRefused) || k.w.Status().Problem != ProblemRekeyRefused {
		t.Fatalf("sync without the secret = %v (problem %q), want ErrRekeyRefused", err, k.w.Status().Problem)
	}
	if n := outboxLen(t, k.s); n != 5 {
		t.Errorf("outbox holds %d events, want the 5 unsent", n)
	}
}

// exec runs a statement on the server's SQLite file (simulating a
// database from before a migration).
func (s *realServer) exec(t *testing.T, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+strings.TrimPrefix(s.dsn, "sqlite:")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
