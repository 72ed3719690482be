package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/hadir-id/hadir/server"
)

// Cookie names. The session cookie holds only a random identifier: the
// API tokens stay on the server, never in the browser (no localStorage).
const (
	sessionCookie = "hadir_session"
	preCookie     = "hadir_login" // login-form CSRF (double submit)
	langCookie    = "hadir_lang"
)

// session is one logged-in browser. The server keeps the user's API
// tokens; the browser holds a random id whose hash keys this map.
type session struct {
	mu       sync.Mutex // serialises token refresh
	key      [32]byte
	csrf     string
	user     server.User
	access   string
	accessTo time.Time // access token expiry
	refresh  string
	created  time.Time
	lastUsed time.Time
}

// sessions is the in-memory session table of one server process.
type sessions struct {
	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions() *sessions { return &sessions{m: map[[32]byte]*session{}} }

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// add stores s under a fresh id and returns the id for the cookie.
func (ss *sessions) add(s *session) string {
	id := randomToken()
	s.key = sha256.Sum256([]byte(id))
	ss.mu.Lock()
	ss.m[s.key] = s
	ss.mu.Unlock()
	return id
}

// get returns the session of id, or nil.
func (ss *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.m[sha256.Sum256([]byte(id))]
}

func (ss *sessions) remove(s *session) {
	ss.mu.Lock()
	delete(ss.m, s.key)
	ss.mu.Unlock()
}

// expired removes and returns every session idle or old beyond the limits
// (called on login: no background goroutine to own).
func (ss *sessions) expired(now time.Time, idle, maxAge time.Duration) []*session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var out []*session
	for k, s := range ss.m {
		if s.stale(now, idle, maxAge) {
			delete(ss.m, k)
			out = append(out, s)
		}
	}
	return out
}

func (s *session) stale(now time.Time, idle, maxAge time.Duration) bool {
	return now.Sub(s.lastUsed) > idle || now.Sub(s.created) > maxAge
}

// csrfOK compares a submitted token with the expected one in constant time.
func csrfOK(got, want string) bool {
	return want != "" && len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// setCookie writes an HttpOnly, SameSite=Strict cookie, Secure over TLS
// (or always when the console is told TLS ends at a proxy).
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || c.opt.SecureCookie, SameSite: http.SameSiteStrictMode})
}

func cookieValue(r *http.Request, name string) string {
	ck, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// current returns the request's live session, ending it (server side too)
// when it has been idle or alive too long.
func (c *Console) current(r *http.Request) *session {
	s := c.sessions.get(cookieValue(r, sessionCookie))
	if s == nil {
		return nil
	}
	now := c.opt.Now()
	s.mu.Lock()
	stale := s.stale(now, c.opt.IdleTimeout, c.opt.MaxAge)
	if !stale {
		s.lastUsed = now
	}
	s.mu.Unlock()
	if stale {
		c.end(r, s)
		return nil
	}
	return s
}

// end removes s and revokes its refresh token through the API's logout.
func (c *Console) end(r *http.Request, s *session) {
	c.sessions.remove(s)
	s.mu.Lock()
	tok := s.refresh
	s.refresh, s.access = "", ""
	s.mu.Unlock()
	if tok == "" {
		return
	}
	if res := c.call(r, "", http.MethodPost, "/api/v1/auth/logout", map[string]string{"refresh_token": tok}); res.status != http.StatusOK {
		c.log.Warn("console logout: refresh token not revoked", "status", res.status, "err", res.message())
	}
}
