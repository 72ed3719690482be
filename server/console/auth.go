package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hadir-id/hadir/server"
)

// routes registers every page. Pages for a role set:
var (
	staff    = []server.Role{server.RoleAdmin, server.RoleOperator}
	admins   = []server.Role{server.RoleAdmin}
	auditors = []server.Role{server.RoleAdmin, server.RoleAuditor}
	recap    = []server.Role{server.RoleAdmin, server.RoleOperator, server.RoleHead}
	everyone = []server.Role{server.RoleAdmin, server.RoleOperator, server.RoleHead, server.RoleAuditor}
)

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /{$}", c.handleRoot)
	m.HandleFunc("GET /login", c.handleLoginForm)
	m.HandleFunc("POST /login", c.handleLogin)
	m.HandleFunc("POST /logout", c.page(everyone, c.handleLogout))
	m.HandleFunc("GET /today", c.page(staff, c.handleToday))
	m.HandleFunc("GET /kiosks", c.page(staff, c.handleKiosks))
	m.HandleFunc("POST /kiosks/code", c.page(admins, c.handleCreateCode))
	m.HandleFunc("POST /kiosks/{id}/revoke", c.page(admins, c.handleRevoke))
	m.HandleFunc("GET /employees", c.page(staff, c.handleEmployees))
	m.HandleFunc("GET /employees/{nip}", c.page(staff, c.handleEmployee))
	m.HandleFunc("POST /employees/{nip}/erase", c.page(admins, c.handleErase))
	m.HandleFunc("POST /employees/{nip}/transfer", c.page(admins, c.handleTransfer))
	m.HandleFunc("GET /users", c.page(admins, c.handleUsers))
	m.HandleFunc("POST /users", c.page(admins, c.handleCreateUser))
	m.HandleFunc("GET /audit", c.page(auditors, c.handleAudit))
	m.HandleFunc("GET /audit.csv", c.page(auditors, c.handleAuditCSV))
	m.HandleFunc("GET /settings", c.page(recap, c.handleSettings))
	m.HandleFunc("POST /settings/signature", c.page(admins, c.handleSignature))
	m.HandleFunc("POST /settings/holidays", c.page(admins, c.handleHolidays))
	m.HandleFunc("GET /settings/roster", c.page(staff, c.handleRoster))
	m.HandleFunc("POST /settings/roster", c.page(staff, c.handleRosterUpload))
	m.HandleFunc("GET /recap/daily", c.page(recap, c.handleLH))
	m.HandleFunc("GET /recap/monthly", c.page(recap, c.handleLB1))
	m.HandleFunc("GET /recap/person/{nip}", c.page(recap, c.handleLB2))
	m.HandleFunc("GET /recap/export", c.page(recap, c.handleExport))
	m.HandleFunc("GET /approvals", c.page(recap, c.handleApprovals))
	m.HandleFunc("POST /approvals/{kind}/{id}/{verb}", c.page(recap, c.handleDecide))
	m.HandleFunc("GET /approvals/exception/{id}/document", c.page(recap, c.handleDocument))
	m.HandleFunc("GET /held", c.page(staff, c.handleHeld))
	m.HandleFunc("POST /held/{device}/{id}/{verb}", c.page(admins, c.handleReviewHeld))
	m.HandleFunc("POST /exceptions", c.page(staff, c.handleCreateException))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		v := c.newView(w, r, c.current(r))
		c.fail(w, v, errNotFound)
	})
}

func (c *Console) handleRoot(w http.ResponseWriter, r *http.Request) {
	if s := c.current(r); s != nil {
		http.Redirect(w, r, home(s.user.Role), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// loginData is the login form's state.
type loginData struct {
	Name, Next, Error string
}

// safeNext keeps a post-login redirect on this site (a path, not //host).
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || u.Host != "" || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

// handleLoginForm shows the form with a fresh login CSRF token, set in a
// cookie and in the form (double submit: a cross-site page can post the
// form but cannot read or set the cookie).
func (c *Console) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if s := c.current(r); s != nil {
		http.Redirect(w, r, home(s.user.Role), http.StatusSeeOther)
		return
	}
	c.loginForm(w, r, loginData{Next: safeNext(r.URL.Query().Get("next"))}, http.StatusOK)
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, d loginData, status int) {
	v := c.newView(w, r, nil)
	v.CSRF = randomToken()
	c.setCookie(w, r, preCookie, v.CSRF, 3600)
	v.Title, v.Data = "login.title", d
	if d.Error != "" {
		v.Message = d.Error
	}
	c.render(w, v, "login", status)
}

// handleLogin checks the password through the API's own login (its
// lockout, throttling and audit), then keeps the tokens server-side.
func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	v := c.newView(w, r, nil)
	if err := parseForm(w, r); err != nil {
		c.loginForm(w, r, loginData{Error: v.T("error.form")}, http.StatusBadRequest)
		return
	}
	if !csrfOK(r.PostFormValue("csrf"), cookieValue(r, preCookie)) {
		v.Status, v.Message, v.Title = http.StatusForbidden, v.T("error.csrf"), "error.title"
		c.render(w, v, "error", http.StatusForbidden)
		return
	}
	name, next := strings.TrimSpace(r.PostFormValue("name")), safeNext(r.PostFormValue("next"))
	res := c.call(r, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"name": name, "password": r.PostFormValue("password")})
	var out struct {
		tokenResponse
		User server.User `json:"user"`
	}
	if err := res.decode(&out); err != nil {
		msg := v.T("login.failed")
		switch res.status {
		case http.StatusTooManyRequests:
			msg = v.T("login.locked", res.header.Get("Retry-After"))
		case http.StatusServiceUnavailable:
			msg = v.T("login.busy")
		case http.StatusBadRequest:
			msg = v.T("login.missing")
		}
		if ra := res.header.Get("Retry-After"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		c.loginForm(w, r, loginData{Name: name, Next: next, Error: msg}, res.status)
		return
	}
	sid, err := c.opt.Server.TokenSession(out.AccessToken)
	if err == nil {
		var tok string
		if tok, err = c.start(r, out.User, sid); err == nil {
			c.setCookie(w, r, sessionCookie, tok, 0)
		}
	}
	if err != nil {
		c.fail(w, v, fmt.Errorf("start console session of %s: %w", out.User.Name, err))
		return
	}
	c.setCookie(w, r, preCookie, "", -1)
	if next == "" {
		next = home(out.User.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout ends the session on the server (and its refresh token).
func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request, v *view) error {
	c.end(r, v.s)
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
