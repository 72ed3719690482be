package storetest

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

var _ = register("Login", testLogin)
var _ = register("Lockout", testLockout)
var _ = register("TokenExpiryAndForgery", testTokens)
var _ = register("Refresh", testRefresh)
var _ = register("Roles", testRoles)
var _ = register("AdminDevicesAndAudit", testAdmin)

// User creates a user in the store and returns its password.
func (e *Env) User(name string, role server.Role, units ...string) string {
	e.T.Helper()
	pw := "pw-" + name + "-0123456789"
	hash, err := server.HashPassword(pw)
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.Store.CreateUser(context.Background(), server.User{Name: name, Role: role, Units: units, PasswordHash: hash}); err != nil {
		e.T.Fatal(err)
	}
	return pw
}

// Login logs in and returns the access and refresh tokens.
func (e *Env) Login(name, pw string) (string, string) {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": name, "password": pw})
	e.Want(r, 200, "")
	return r.Str("access_token"), r.Str("refresh_token")
}

// As creates a user of role and logs in, returning the access token.
func (e *Env) As(name string, role server.Role, units ...string) string {
	e.T.Helper()
	tok, _ := e.Login(name, e.User(name, role, units...))
	return tok
}

func testLogin(t *testing.T, b Backend) {
	e := Start(t, b)
	pw := e.User("admin", server.RoleAdmin)
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "admin", "password": pw})
	e.Want(r, 200, "")
	checkStamp(t, r)
	if r.Str("token_type") != "Bearer" || r.Num("expires_in") != 900 || len(r.Str("refresh_token")) < 43 || strings.Count(r.Str("access_token"), ".") != 2 {
		t.Fatalf("login response %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), "argon2") {
		t.Error("login response leaks the password hash")
	}
	me := e.Do("GET", "/api/v1/me", r.Str("access_token"), nil)
	e.Want(me, 200, "")
	if u := me.JSON["user"].(map[string]any); u["name"] != "admin" || u["role"] != "admin" {
		t.Errorf("me = %v", u)
	}
	for _, bad := range []any{map[string]any{"name": "admin", "password": "wrong-password"}, map[string]any{"name": "nobody", "password": pw}} {
		e.Want(e.Do("POST", "/api/v1/auth/login", "", bad), 401, "invalid_credentials")
	}
	for _, bad := range []any{`{"name":`, map[string]any{"name": "admin"}, `{"name":1,"password":2}`} {
		e.Want(e.Do("POST", "/api/v1/auth/login", "", bad), 400, "bad_request")
	}
}

func testLockout(t *testing.T, b Backend) {
	e := Start(t, b)
	pw := e.User("op", server.RoleOperator, "DINKES")
	for i := 0; i < 4; i++ {
		e.Want(e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "op", "password": "guess-" + string(rune('a'+i))}), 401, "invalid_credentials")
	}
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "op", "password": "guess-e"})
	e.Want(r, 429, "too_many_attempts")
	if r.Header.Get("Retry-After") == "" {
		t.Error("lockout without Retry-After")
	}
	// Locked even with the right password, and in another server process.
	e.Want(e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "op", "password": pw}), 429, "too_many_attempts")
	e2 := e.Another()
	e2.Want(e2.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "op", "password": pw}), 429, "too_many_attempts")
	// Other users are not locked out.
	e.Login("admin2", e.User("admin2", server.RoleAdmin))
	// After the lockout, the right password works and clears the count.
	e.Clock.Advance(16 * time.Minute)
	e.Login("op", pw)
	e.Want(e.Do("POST", "/api/v1/auth/login", "", map[string]any{"name": "op", "password": "wrong-again"}), 401, "invalid_credentials")
	m := e.Do("GET", "/metrics", e.MetricsToken, nil)
	if !strings.Contains(string(m.Raw), "hadir_login_failures_total 6") {
		t.Errorf("metrics do not count failures:\n%s", m.Raw)
	}
}

func testTokens(t *testing.T, b Backend) {
	e := Start(t, b)
	tok := e.As("admin", server.RoleAdmin)
	e.Want(e.Do("GET", "/api/v1/users", tok, nil), 200, "")
	parts := strings.Split(tok, ".")
	forged := []string{
		"",
		"garbage",
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature at all, 32 by")),
		base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
		parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"1","role":"admin","iss":"hadir-server","exp":9999999999}`)) + "." + parts[2],
	}
	for i, f := range forged {
		r := e.Do("GET", "/api/v1/users", f, nil)
		e.Want(r, 401, "unauthorized")
		if i > 0 {
			checkStamp(t, r)
		}
	}
	// A token of another deployment (other key) is forged too.
	other := Start(t, b)
	e.Want(e.Do("GET", "/api/v1/users", other.As("admin", server.RoleAdmin), nil), 401, "unauthorized")
	// A device token is not a user token and vice versa.
	d := e.Register("K1")
	e.Want(e.Do("GET", "/api/v1/users", d.Token, nil), 401, "unauthorized")
	e.Want(e.Do("GET", "/api/v1/roster", tok, nil), 401, "unauthorized")
	// Expired.
	e.Clock.Advance(16 * time.Minute)
	e.Want(e.Do("GET", "/api/v1/users", tok, nil), 401, "token_expired")
}

func testRefresh(t *testing.T, b Backend) {
	e := Start(t, b)
	pw := e.User("admin", server.RoleAdmin)
	_, refresh := e.Login("admin", pw)
	r := e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
	e.Want(r, 200, "")
	access2, refresh2 := r.Str("access_token"), r.Str("refresh_token")
	e.Want(e.Do("GET", "/api/v1/users", access2, nil), 200, "")
	if refresh2 == refresh {
		t.Fatal("refresh token not rotated")
	}
	// Reusing a spent refresh token revokes the whole family.
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}), 401, "unauthorized")
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh2}), 401, "unauthorized")
	// Logout revokes.
	_, refresh3 := e.Login("admin", pw)
	e.Want(e.Do("POST", "/api/v1/auth/logout", "", map[string]any{"refresh_token": refresh3}), 200, "")
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh3}), 401, "unauthorized")
	// Expiry (7 days).
	_, refresh4 := e.Login("admin", pw)
	e.Clock.Advance(8 * 24 * time.Hour)
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh4}), 401, "unauthorized")
	e.Want(e.Do("POST", "/api/v1/auth/refresh", "", `{}`), 400, "bad_request")
}

func testRoles(t *testing.T, b Backend) {
	e := Start(t, b)
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES")
	aud := e.As("dpo", server.RoleAuditor)
	put(t, e, NIP(1), "A", "DINKES", Templates(Seed(5), 1))
	put(t, e, NIP(2), "B", "DINSOS", Templates(Seed(6), 1))
	for _, tc := range []struct {
		tok, method, path string
		status            int
	}{
		{admin, "GET", "/api/v1/users", 200},
		{op, "GET", "/api/v1/users", 403},
		{aud, "GET", "/api/v1/users", 403},
		{aud, "GET", "/api/v1/audit", 200},
		{admin, "GET", "/api/v1/audit", 200},
		{op, "GET", "/api/v1/audit", 403},
		{aud, "GET", "/api/v1/reports/daily?unit=DINKES", 403},
		{op, "GET", "/api/v1/reports/daily?unit=DINKES", 200},
		{op, "GET", "/api/v1/reports/daily?unit=DINSOS", 403},
		{admin, "GET", "/api/v1/reports/daily?unit=DINSOS", 200},
		{op, "GET", "/api/v1/employees?unit=DINKES", 200},
		{op, "GET", "/api/v1/employees?unit=DINSOS", 403},
		{op, "GET", "/api/v1/employees/" + NIP(1), 200},
		{op, "GET", "/api/v1/employees/" + NIP(2), 403},
		{op, "DELETE", "/api/v1/employees/" + NIP(1), 403},
		{op, "POST", "/api/v1/enrollment-codes", 403},
		{aud, "GET", "/api/v1/devices", 403},
		{op, "GET", "/api/v1/devices", 200},
		{admin, "GET", "/api/v1/employees/" + NIP(9), 404},
	} {
		r := e.Do(tc.method, tc.path, tc.tok, map[string]any{})
		if r.Status != tc.status {
			t.Errorf("%s %s as %s: %d, want %d (%s)", tc.method, tc.path, roleOf(tc.tok, admin, op, aud), r.Status, tc.status, truncate(r.Raw))
		}
	}
	// An employee's descriptors never reach the HR side.
	r := e.Do("GET", "/api/v1/employees/"+NIP(1), admin, nil)
	if strings.Contains(string(r.Raw), "descriptor") {
		t.Error("employee detail exposes descriptors")
	}
}

func roleOf(tok, admin, op, aud string) string {
	switch tok {
	case admin:
		return "admin"
	case op:
		return "operator"
	case aud:
		return "auditor"
	}
	return "?"
}

func testAdmin(t *testing.T, b Backend) {
	e := Start(t, b)
	admin := e.As("admin", server.RoleAdmin)
	r := e.Do("POST", "/api/v1/enrollment-codes", admin, map[string]any{"units": []string{"DINKES"}, "ttl": "2h"})
	e.Want(r, 201, "")
	code := r.Str("code")
	reg := e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": code, "device_id": "K9", "name": "Puskesmas"})
	e.Want(reg, 200, "")
	e.Want(e.Do("POST", "/api/v1/enrollment-codes", admin, map[string]any{"ttl": "forever"}), 400, "bad_request")
	r = e.Do("GET", "/api/v1/devices", admin, nil)
	devs := r.JSON["devices"].([]any)
	if len(devs) != 1 || devs[0].(map[string]any)["id"] != "K9" {
		t.Fatalf("devices %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), reg.Str("token")) || strings.Contains(string(r.Raw), "token_hash") {
		t.Error("device list exposes the token")
	}
	e.Want(e.Do("POST", "/api/v1/devices/K9/revoke", admin, nil), 200, "")
	e.Want(e.Do("POST", "/api/v1/devices/NOPE/revoke", admin, nil), 404, "not_found")
	e.Want(e.Do("GET", "/api/v1/roster", reg.Str("token"), nil), 401, "device_revoked")
	// Users over HTTP.
	r = e.Do("POST", "/api/v1/users", admin, map[string]any{"name": "op1", "password": "long-enough-pw", "role": "operator", "units": []string{"DINKES"}})
	e.Want(r, 201, "")
	e.Want(e.Do("POST", "/api/v1/users", admin, map[string]any{"name": "op1", "password": "long-enough-pw", "role": "operator", "units": []string{"X"}}), 409, "conflict")
	e.Want(e.Do("POST", "/api/v1/users", admin, map[string]any{"name": "op2", "password": "short", "role": "operator", "units": []string{"X"}}), 400, "bad_request")
	e.Want(e.Do("POST", "/api/v1/users", admin, map[string]any{"name": "op2", "password": "long-enough-pw", "role": "boss"}), 400, "bad_request")
	e.Want(e.Do("POST", "/api/v1/users", admin, map[string]any{"name": "op2", "password": "long-enough-pw", "role": "operator"}), 400, "bad_request")
	e.Login("op1", "long-enough-pw")
	// Employee erasure over HTTP.
	put(t, e, NIP(1), "A", "DINKES", Templates(Seed(7), 2))
	e.Want(e.Do("DELETE", "/api/v1/employees/"+NIP(1), admin, nil), 200, "")
	e.Want(e.Do("DELETE", "/api/v1/employees/"+NIP(1), admin, nil), 404, "not_found")
	// Every action is in the audit log, readable by the auditor.
	aud := e.As("dpo", server.RoleAuditor)
	r = e.Do("GET", "/api/v1/audit", aud, nil)
	e.Want(r, 200, "")
	var actions []string
	for _, x := range r.JSON["entries"].([]any) {
		m := x.(map[string]any)
		actions = append(actions, m["action"].(string)+" "+m["actor"].(string))
	}
	joined := strings.Join(actions, "\n")
	for _, want := range []string{"code.create user:admin", "device.register device:K9", "device.revoke user:admin", "user.create user:admin", "employee.delete user:admin", "auth.login user:dpo"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit log lacks %q:\n%s", want, joined)
		}
	}
	for _, secret := range []string{code, reg.Str("token"), "long-enough-pw"} {
		if strings.Contains(string(r.Raw), secret) {
			t.Errorf("audit log contains a secret")
		}
	}
	last := r.JSON["entries"].([]any)
	after := int64(last[len(last)-1].(map[string]any)["id"].(float64))
	r = e.Do("GET", "/api/v1/audit?after="+itoa(after), aud, nil)
	if n := len(r.JSON["entries"].([]any)); n != 1 { // the audit.read of the previous call
		t.Errorf("audit after %d: %d entries, want 1", after, n)
	}
	e.Want(e.Do("GET", "/api/v1/audit?after=x", aud, nil), 400, "bad_request")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
