package storetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hadir-id/hadir/server"
)

// Attacks on the login and session rules (issue 13: findings 3, 9, 12).
var _ = register("LoginParallelLockout", testLoginParallel)
var _ = register("LockoutPerClient", testLockoutPerClient)
var _ = register("AccessTokenRevoked", testAccessRevoked)
var _ = register("MetricsAuth", testMetricsAuth)

// loginFrom posts a login with an X-Forwarded-For header (xff "" sends
// none) and returns the status and error code.
func (e *Env) loginFrom(xff, name, pw string) (int, string) {
	e.T.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "password": pw})
	req, err := http.NewRequest("POST", e.URL+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := e.HTTP.Do(req)
	if err != nil {
		e.T.Fatalf("login: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m struct {
		Error string `json:"error"`
	}
	json.Unmarshal(raw, &m)
	return res.StatusCode, m.Error
}

// Metric returns the value of one sample line of /metrics ("name" or
// `name{label="x"}`), read with token; -1 when absent.
func (e *Env) Metric(token, sample string) int64 {
	e.T.Helper()
	r := e.Do("GET", "/metrics", token, nil)
	e.Want(r, 200, "")
	for _, line := range strings.Split(string(r.Raw), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				e.T.Fatalf("metric %s: %v", sample, err)
			}
			return n
		}
	}
	return -1
}

// testLoginParallel: wrong passwords sent in parallel must not get more
// checks than the lockout limit (5), and the right password is refused
// once the account is locked. Waves of 40 are sent until one is refused
// by the lockout, since a busy server may shed some of a wave (503).
func testLoginParallel(t *testing.T, b Backend) {
	e := Start(t, b)
	pw := e.User("op", server.RoleOperator, "DINKES")
	admin := e.As("admin", server.RoleAdmin)
	locked := false
	for wave := 0; wave < 10 && !locked; wave++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, code := e.loginFrom("", "op", "wrong-password-"+strconv.Itoa(i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case st == 429 && code == "too_many_attempts":
					locked = true
				case st == 401 || st == 503:
				default:
					t.Errorf("wrong password: %d %s", st, code)
				}
			}()
		}
		wg.Wait()
	}
	if checked := e.Metric(admin, "hadir_login_failures_total"); checked > 5 {
		t.Errorf("%d wrong passwords were checked in parallel, the limit is 5", checked)
	}
	if st, code := e.loginFrom("", "op", pw); st != 429 || code != "too_many_attempts" {
		t.Errorf("right password while locked: %d %s, want 429 too_many_attempts", st, code)
	}
}

// testLockoutPerClient: an attacker's failures lock out the attacker's
// address, not the user logging in from elsewhere; X-Forwarded-For counts
// only from a configured trusted proxy.
func testLockoutPerClient(t *testing.T, b Backend) {
	e := Start(t, b, func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	pw := e.User("op", server.RoleOperator, "DINKES")
	attacker, user := "203.0.113.9", "198.51.100.7"
	for i := range 4 {
		if st, code := e.loginFrom(attacker, "op", "guess-"+strconv.Itoa(i)); st != 401 {
			t.Fatalf("guess %d: %d %s", i, st, code)
		}
	}
	if st, code := e.loginFrom(attacker, "op", "guess-last"); st != 429 || code != "too_many_attempts" {
		t.Fatalf("5th guess: %d %s, want 429", st, code)
	}
	if st, code := e.loginFrom(attacker, "op", pw); st != 429 {
		t.Errorf("right password from the attacker's address: %d %s, want 429", st, code)
	}
	if st, code := e.loginFrom(user, "op", pw); st != 200 {
		t.Errorf("right password from the user's own address: %d %s, want 200", st, code)
	}
	// The lock is in the database: another process refuses the attacker too.
	e2 := e.Another(func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	if st, _ := e2.loginFrom(attacker, "op", pw); st != 429 {
		t.Errorf("another process let the attacker's address in: %d", st)
	}
	// A proxy chain: the client is the rightmost untrusted address, so a
	// forged leftmost entry does not give the attacker a fresh address.
	if st, _ := e.loginFrom("198.51.100.99, "+attacker, "op", pw); st != 429 {
		t.Errorf("forged X-Forwarded-For entry let the attacker in: %d", st)
	}
	// Without trusted proxies the header is ignored: every request comes
	// from 127.0.0.1, which the guesses locked.
	f := Start(t, b)
	pw = f.User("op", server.RoleOperator, "DINKES")
	for i := range 5 {
		f.loginFrom(attacker, "op", "guess-"+strconv.Itoa(i))
	}
	if st, _ := f.loginFrom(user, "op", pw); st != 429 {
		t.Errorf("X-Forwarded-For honoured from an untrusted peer: %d, want 429", st)
	}
}

// testAccessRevoked: an access token dies with its session (logout) and
// with its refresh family (reuse), in every server process.
func testAccessRevoked(t *testing.T, b Backend) {
	e := Start(t, b)
	pw := e.User("admin", server.RoleAdmin)
	e2 := e.Another()
	access, refresh := e.Login("admin", pw)
	other, _ := e.Login("admin", pw) // a second session stays valid
	e.Want(e.Do("GET", "/api/v1/me", access, nil), 200, "")
	e2.Want(e2.Do("GET", "/api/v1/me", access, nil), 200, "")
	e.Want(e.Do("POST", "/api/v1/auth/logout", "", map[string]any{"refresh_token": refresh}), 200, "")
	e.Want(e.Do("GET", "/api/v1/me", access, nil), 401, "unauthorized")
	e2.Want(e2.Do("GET", "/api/v1/me", access, nil), 401, "unauthorized")
	e2.Want(e2.Do("GET", "/api/v1/me", other, nil), 200, "")

	// Refresh-token reuse (theft) revokes the family's access tokens.
	access, refresh = e.Login("admin", pw)
	r := e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
	e.Want(r, 200, "")
	access2 := r.Str("access_token")
	e2.Want(e2.Do("GET", "/api/v1/me", access2, nil), 200, "")
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}), 401, "unauthorized")
	for _, tok := range []string{access, access2} {
		e.Want(e.Do("GET", "/api/v1/me", tok, nil), 401, "unauthorized")
		e2.Want(e2.Do("GET", "/api/v1/me", tok, nil), 401, "unauthorized")
	}
}

// testMetricsAuth: /metrics needs an admin or the configured scrape token.
func testMetricsAuth(t *testing.T, b Backend) {
	e := Start(t, b, func(c *server.Config) { c.MetricsToken = "scrape-token-0123456789abcdef" })
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES")
	e.Want(e.Do("GET", "/metrics", "", nil), 401, "unauthorized")
	e.Want(e.Do("GET", "/metrics", "scrape-token-wrong", nil), 401, "unauthorized")
	e.Want(e.Do("GET", "/metrics", op, nil), 403, "forbidden")
	for _, tok := range []string{admin, "scrape-token-0123456789abcdef"} {
		r := e.Do("GET", "/metrics", tok, nil)
		e.Want(r, 200, "")
		if !strings.Contains(string(r.Raw), "hadir_events_stored") {
			t.Errorf("metrics body:\n%s", truncate(r.Raw))
		}
	}
}
