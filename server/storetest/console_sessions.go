package storetest

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

// Console browser sessions (issue 15): kept in the database so that every
// process on it serves the same browser and sees its end.
var _ = register("ConsoleSessions", testConsoleSessions)
var _ = register("ConsoleSessionsPrune", testConsoleSessionsPrune)

// consoleStore returns e's store as a console session store.
func consoleStore(t *testing.T, e *Env) server.ConsoleSessionStore {
	t.Helper()
	cs, ok := e.Store.(server.ConsoleSessionStore)
	if !ok {
		t.Fatalf("%T keeps no console sessions", e.Store)
	}
	return cs
}

// apiSession creates a user and an API session (as a login does) and
// returns them and the session's refresh token.
func apiSession(t *testing.T, e *Env, name string) (server.User, string, string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.Store.CreateUser(ctx, server.User{Name: name, Role: server.RoleAdmin, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	sid, refresh := server.NewToken(), server.NewToken()
	if err := e.Store.CreateRefreshToken(ctx, server.HashSecret(refresh), u.ID, sid, e.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return u, sid, refresh
}

// testConsoleSessions: a session created through one process is read by
// another; ending it there ends it, and its API session, on the first.
func testConsoleSessions(t *testing.T, b Backend) {
	ctx := context.Background()
	e1 := Start(t, b)
	e2 := e1.Another()
	a, bb := consoleStore(t, e1), consoleStore(t, e2)
	u, sid, _ := apiSession(t, e1, "hr")
	now := e1.Clock.Now().Truncate(time.Microsecond)
	hash := server.HashSecret("cookie-token")
	in := server.ConsoleSession{Hash: hash, UserID: u.ID, SID: sid, CSRF: "csrf-1", Created: now, LastUsed: now}
	if err := a.CreateConsoleSession(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, gu, err := bb.ConsoleSession(ctx, hash)
	if err != nil {
		t.Fatalf("session created on process 1, read on 2: %v", err)
	}
	if !bytes.Equal(got.Hash, hash) || got.UserID != u.ID || got.SID != sid || got.CSRF != "csrf-1" || !got.Created.Equal(now) || !got.LastUsed.Equal(now) {
		t.Errorf("read %+v, want %+v", got, in)
	}
	if gu.ID != u.ID || gu.Name != "hr" || gu.Role != server.RoleAdmin {
		t.Errorf("session user %+v", gu)
	}
	if _, _, err := bb.ConsoleSession(ctx, server.HashSecret("other")); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("unknown token: %v, want ErrNotFound", err)
	}

	// The last use only moves forward.
	later := now.Add(5 * time.Minute)
	if err := bb.TouchConsoleSession(ctx, hash, later); err != nil {
		t.Fatal(err)
	}
	if err := a.TouchConsoleSession(ctx, hash, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := a.ConsoleSession(ctx, hash); !got.LastUsed.Equal(later) {
		t.Errorf("last use %v, want %v", got.LastUsed, later)
	}

	// An access token in the session works on both until the end on 2.
	tok := e1.Server.AccessToken(u, sid)
	e1.Want(e1.Do("GET", "/api/v1/me", tok, nil), 200, "")
	if err := bb.EndConsoleSession(ctx, hash, later); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.ConsoleSession(ctx, hash); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("session ended on process 2, read on 1: %v, want ErrNotFound", err)
	}
	if r := e1.Do("GET", "/api/v1/me", tok, nil); r.Status != 401 {
		t.Errorf("access token of an ended console session: %d, want 401", r.Status)
	}
	if _, err := e1.Store.SessionUser(ctx, sid, u.ID); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("API session after the console session ended: %v, want ErrNotFound", err)
	}
	if err := bb.EndConsoleSession(ctx, hash, later); err != nil {
		t.Errorf("ending an ended session: %v", err)
	}

	// A session whose API session was revoked elsewhere (an API logout,
	// a refresh token reused) is gone too.
	u2, sid2, refresh2 := apiSession(t, e1, "hr2")
	h2 := server.HashSecret("cookie-2")
	if err := a.CreateConsoleSession(ctx, server.ConsoleSession{Hash: h2, UserID: u2.ID, SID: sid2, CSRF: "c", Created: now, LastUsed: now}); err != nil {
		t.Fatal(err)
	}
	if err := e1.Store.RevokeRefreshToken(ctx, server.HashSecret(refresh2), now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bb.ConsoleSession(ctx, h2); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("console session over a revoked API session: %v, want ErrNotFound", err)
	}
}

// testConsoleSessionsPrune: pruning removes idle and too-old sessions in
// bounded batches, revokes their API sessions and keeps live ones.
func testConsoleSessionsPrune(t *testing.T, b Backend) {
	ctx := context.Background()
	e := Start(t, b)
	st := consoleStore(t, e)
	now := e.Clock.Now()
	idle, maxAge := 30*time.Minute, 12*time.Hour
	type row struct {
		name          string
		created, used time.Time
		keep          bool
		hash          []byte
		sid           string
		user          server.User
	}
	rows := []*row{
		{name: "live", created: now.Add(-time.Hour), used: now.Add(-time.Minute), keep: true},
		{name: "idle", created: now.Add(-time.Hour), used: now.Add(-31 * time.Minute)},
		{name: "old", created: now.Add(-13 * time.Hour), used: now},
		{name: "idle2", created: now.Add(-2 * time.Hour), used: now.Add(-2 * time.Hour)},
	}
	for _, r := range rows {
		r.user, r.sid, _ = apiSession(t, e, r.name)
		r.hash = server.HashSecret(r.name)
		if err := st.CreateConsoleSession(ctx, server.ConsoleSession{Hash: r.hash, UserID: r.user.ID, SID: r.sid, CSRF: "c", Created: r.created, LastUsed: r.used}); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for i := range 5 {
		n, err := st.PruneConsoleSessions(ctx, now.Add(-idle), now.Add(-maxAge), now, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n > 2 {
			t.Fatalf("pruned %d in one call, limit 2", n)
		}
		total += n
		if n == 0 {
			if i != 2 {
				t.Errorf("pruning finished after %d calls, want 2 (3 expired, 2 per call)", i)
			}
			break
		}
	}
	if total != 3 {
		t.Errorf("pruned %d, want 3", total)
	}
	for _, r := range rows {
		_, _, err := st.ConsoleSession(ctx, r.hash)
		_, uerr := e.Store.SessionUser(ctx, r.sid, r.user.ID)
		if r.keep && (err != nil || uerr != nil) {
			t.Errorf("%s: live session pruned: %v / %v", r.name, err, uerr)
		}
		if !r.keep && (!errors.Is(err, server.ErrNotFound) || !errors.Is(uerr, server.ErrNotFound)) {
			t.Errorf("%s: expired session kept: console %v, API %v", r.name, err, uerr)
		}
	}
}

var _ = register("ConsoleUnits", testConsoleUnits)

// testConsoleUnits: the console's unit list is the units of the current
// (not erased) employees, sorted, once each.
func testConsoleUnits(t *testing.T, b Backend) {
	e := Start(t, b)
	ul, ok := e.Store.(interface {
		EmployeeUnits(ctx context.Context) ([]string, error)
	})
	if !ok {
		t.Fatalf("%T lists no units", e.Store)
	}
	admin := e.As("admin", server.RoleAdmin)
	rng := Seed(5)
	devs := map[string]*Device{"DINSOS": e.Register("K1", "DINSOS"), "DINKES": e.Register("K2", "DINKES"), "BAPPEDA": e.Register("K3", "BAPPEDA")}
	for i, unit := range []string{"DINSOS", "DINKES", "DINSOS", "BAPPEDA"} {
		body := map[string]any{"employee": map[string]any{"nip": NIP(i + 1), "name": []string{"Ani", "Budi", "Bu Ani", "Dedi"}[i], "unit": unit, "status": "active"},
			"templates": []any{WireTemplate(Templates(rng, 1)[0])}}
		e.Want(e.Do("POST", "/api/v1/enrollments", devs[unit].Token, body), 200, "")
	}
	e.Want(e.Do("DELETE", "/api/v1/employees/"+NIP(4), admin, nil), 200, "")
	got, err := ul.EmployeeUnits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "DINKES,DINSOS" {
		t.Errorf("units %v, want [DINKES DINSOS] (BAPPEDA's only person erased)", got)
	}
	// The console's search: a NIP prefix or a part of the name, any case.
	for q, want := range map[string]int{"ani": 2, "BUDI": 1, NIP(2): 1, NIP(2)[:4]: 3, "zz": 0} {
		r := e.Do("GET", "/api/v1/employees?q="+url.QueryEscape(q), admin, nil)
		e.Want(r, 200, "")
		if n := len(r.JSON["employees"].([]any)); n != want {
			t.Errorf("search %q: %d people, want %d", q, n, want)
		}
	}
}
