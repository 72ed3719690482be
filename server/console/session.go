package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/hadir-id/hadir/server"
)

// Cookie names. The session cookie holds only a random token: the
// database keeps its hash, and the API tokens are minted on the server
// for each call, never sent to the browser (no localStorage).
const (
	sessionCookie = "hadir_session"
	preCookie     = "hadir_login" // login-form CSRF (double submit)
	langCookie    = "hadir_lang"
)

const (
	// touchEvery: a session's last use is written at most this often, so
	// a page view is not a database write; idle expiry is that coarse.
	touchEvery = time.Minute
	// pruneBatch bounds the expired sessions one login removes.
	pruneBatch = 100
)

// session is one logged-in browser, as read from the store for one
// request: the user as they are now and the API session to act in.
type session struct {
	hash     []byte
	sid      string
	csrf     string
	user     server.User
	created  time.Time
	lastUsed time.Time
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
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

// start stores a new session of u acting in the API session sid and
// returns the cookie token. Expired sessions are pruned first (a bounded
// batch: logins are frequent enough, and no goroutine is needed).
func (c *Console) start(r *http.Request, u server.User, sid string) (string, error) {
	now := c.opt.Now()
	if _, err := c.store.PruneConsoleSessions(r.Context(), now.Add(-c.opt.IdleTimeout), now.Add(-c.opt.MaxAge), now, pruneBatch); err != nil {
		c.log.Warn("console: prune sessions", "err", err)
	}
	tok := randomToken()
	err := c.store.CreateConsoleSession(r.Context(), server.ConsoleSession{Hash: server.HashSecret(tok), UserID: u.ID, SID: sid,
		CSRF: randomToken(), Created: now, LastUsed: now})
	return tok, err
}

// current returns the request's live session, ending it (in the store,
// so on every process) when it has been idle or alive too long or its
// user is disabled.
func (c *Console) current(r *http.Request) *session {
	tok := cookieValue(r, sessionCookie)
	if tok == "" {
		return nil
	}
	cs, u, err := c.store.ConsoleSession(r.Context(), server.HashSecret(tok))
	if err != nil {
		if !errors.Is(err, server.ErrNotFound) {
			c.log.Error("console: read session", "err", err)
		}
		return nil
	}
	s := &session{hash: cs.Hash, sid: cs.SID, csrf: cs.CSRF, user: u, created: cs.Created, lastUsed: cs.LastUsed}
	now := c.opt.Now()
	if s.stale(now, c.opt.IdleTimeout, c.opt.MaxAge) || u.Disabled {
		c.end(r, s)
		return nil
	}
	if now.Sub(s.lastUsed) >= touchEvery {
		if err := c.store.TouchConsoleSession(r.Context(), s.hash, now); err != nil {
			c.log.Warn("console: touch session", "err", err)
		}
	}
	return s
}

// end deletes s and revokes its API session, on every process at once.
func (c *Console) end(r *http.Request, s *session) {
	if err := c.store.EndConsoleSession(r.Context(), s.hash, c.opt.Now()); err != nil {
		c.log.Error("console: end session", "err", err)
	}
}
