package console

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

// errSessionEnded: the session expired or its tokens were refused; the
// browser is sent to the login form.
var errSessionEnded = errors.New("console: session ended")

// maxForm bounds a posted form (uploads set their own limit).
const maxForm = 64 << 10

var pageFiles = []string{"login", "error", "today", "kiosks", "code", "employees", "employee", "users", "audit", "lb1", "lb2", "lh", "approvals", "settings", "held", "roster"}

func (c *Console) parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, p := range pageFiles {
		t, err := template.New(p).Funcs(template.FuncMap{
			"add":   func(a, b int) int { return a + b },
			"int64": func(n int) int64 { return int64(n) },
			"list":  func(s ...string) []string { return s },
		}).
			ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, err
		}
		out[p] = t
	}
	return out, nil
}

// navItem is one entry of the menu.
type navItem struct {
	Path, Key string
	Active    bool
}

// view is what every template receives.
type view struct {
	c       *Console
	r       *http.Request
	s       *session
	Lang    string
	F       formatter
	User    *server.User
	CSRF    string
	Title   string
	Nav     []navItem
	Flash   string
	Status  int
	Message string
	Data    any
}

// T translates key.
func (v *view) T(key string, args ...any) string { return v.c.tr.text(v.Lang, key, args...) }

// Link is the current URL with the given query parameters (name, value
// pairs) replaced; the page number resets unless it is one of them.
func (v *view) Link(kv ...string) string {
	q := v.r.URL.Query()
	q.Del("lang")
	q.Del("page")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	u := url.URL{Path: v.r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// LangLink switches the page's language.
func (v *view) LangLink(lang string) string {
	q := v.r.URL.Query()
	q.Set("lang", lang)
	return (&url.URL{Path: v.r.URL.Path, RawQuery: q.Encode()}).String()
}

// Query returns a query parameter of the request.
func (v *view) Query(k string) string { return v.r.URL.Query().Get(k) }

// Is reports the user's role.
func (v *view) Is(role string) bool { return v.User != nil && string(v.User.Role) == role }

var navByRole = map[server.Role][]navItem{
	server.RoleAdmin: {{"/today", "nav.today", false}, {"/recap/daily", "nav.lh", false}, {"/recap/monthly", "nav.lb1", false}, {"/approvals", "nav.approvals", false},
		{"/held", "nav.held", false}, {"/kiosks", "nav.kiosks", false}, {"/employees", "nav.employees", false}, {"/users", "nav.users", false}, {"/audit", "nav.audit", false}, {"/settings", "nav.settings", false}},
	server.RoleOperator: {{"/today", "nav.today", false}, {"/recap/daily", "nav.lh", false}, {"/recap/monthly", "nav.lb1", false}, {"/approvals", "nav.approvals", false},
		{"/held", "nav.held", false}, {"/kiosks", "nav.kiosks", false}, {"/employees", "nav.employees", false}, {"/settings/roster", "nav.roster", false}},
	server.RoleHead:    {{"/approvals", "nav.approvals", false}, {"/recap/daily", "nav.lh", false}, {"/recap/monthly", "nav.lb1", false}},
	server.RoleAuditor: {{"/audit", "nav.audit", false}},
}

// home is the first page a role sees.
func home(role server.Role) string {
	if nav := navByRole[role]; len(nav) > 0 {
		return nav[0].Path
	}
	return "/login"
}

func (c *Console) newView(w http.ResponseWriter, r *http.Request, s *session) *view {
	lang := c.language(w, r)
	v := &view{c: c, r: r, s: s, Lang: lang, F: formatter{lang: lang, loc: c.opt.Schedule("").Location()}}
	if s != nil {
		u := s.user
		v.User, v.CSRF = &u, s.csrf
		for _, n := range navByRole[u.Role] {
			n.Active = n.Path == r.URL.Path || len(r.URL.Path) > len(n.Path) && r.URL.Path[:len(n.Path)+1] == n.Path+"/"
			v.Nav = append(v.Nav, n)
		}
	}
	return v
}

// render writes page name with status.
func (c *Console) render(w http.ResponseWriter, v *view, name string, status int) {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders the error page for err (an API refusal keeps its status).
func (c *Console) fail(w http.ResponseWriter, v *view, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		v.Status, v.Message = ae.status, ae.msg
	case errors.Is(err, errForbidden):
		v.Status, v.Message = http.StatusForbidden, v.T("error.forbidden")
	case errors.Is(err, errNotFound):
		v.Status, v.Message = http.StatusNotFound, v.T("error.notfound")
	default:
		c.log.Error("console: page failed", "path", v.r.URL.Path, "err", err)
		v.Status, v.Message = http.StatusInternalServerError, v.T("error.internal", time.Now().UTC().Format(time.RFC3339))
	}
	v.Title = "error.title"
	c.render(w, v, "error", v.Status)
}

var (
	errForbidden = errors.New("console: forbidden")
	errNotFound  = errors.New("console: not found")
)

// pageFunc serves one page for a logged-in user; a nil return means it
// wrote the response.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// page wraps fn: a live session (else the login form), one of roles,
// and on POST a form whose CSRF token matches the session's (else 403).
func (c *Console) page(roles []server.Role, fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.current(r)
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			v := c.newView(w, r, nil)
			v.Status, v.Message = http.StatusForbidden, v.T("error.nosession")
			v.Title = "error.title"
			c.render(w, v, "error", http.StatusForbidden)
			return
		}
		v := c.newView(w, r, s)
		if !slices.Contains(roles, s.user.Role) {
			c.fail(w, v, errForbidden)
			return
		}
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				v.Status, v.Message = http.StatusBadRequest, err.Error()
				c.render(w, v, "error", http.StatusBadRequest)
				return
			}
			if !csrfOK(r.PostFormValue("csrf"), s.csrf) {
				v.Status, v.Message, v.Title = http.StatusForbidden, v.T("error.csrf"), "error.title"
				c.render(w, v, "error", http.StatusForbidden)
				return
			}
		}
		if err := fn(w, r, v); err != nil {
			if errors.Is(err, errSessionEnded) {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			c.fail(w, v, err)
		}
	}
}

// parseForm reads a urlencoded or multipart form within its size limit.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		return r.ParseMultipartForm(maxUpload)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return err
	}
	return nil
}

// pager is one page of a server-side paged table.
type pager struct {
	Page, Pages, Total, From, To int
}

// paginate returns the bounds of page (1-based, from the query) in n rows.
func (c *Console) paginate(r *http.Request, n int) pager {
	size := c.opt.PageSize
	p := pager{Total: n, Pages: max(1, (n+size-1)/size), Page: 1}
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 1 {
		p.Page = min(v, p.Pages)
	}
	p.From = (p.Page - 1) * size
	p.To = min(n, p.From+size)
	return p
}

// SortLink sorts the table by key, reversing the direction when the table
// is already sorted by it.
func (v *view) SortLink(key string) string {
	q := v.r.URL.Query()
	dir := "asc"
	if q.Get("sort") == key && q.Get("dir") != "desc" {
		dir = "desc"
	}
	return v.Link("sort", key, "dir", dir)
}

// SortMark shows the direction of the column the table is sorted by.
func (v *view) SortMark(key, current string) string {
	if key != current {
		return ""
	}
	if v.r.URL.Query().Get("dir") == "desc" {
		return " ▼"
	}
	return " ▲"
}

// Th is a sortable column header: a link that sorts by key, and
// aria-sort on the column the table is sorted by (cur).
func (v *view) Th(key, label, cur string) template.HTML {
	sort := ""
	if key == cur {
		sort = ` aria-sort="ascending"`
		if v.r.URL.Query().Get("dir") == "desc" {
			sort = ` aria-sort="descending"`
		}
	}
	return template.HTML(`<th scope="col"` + sort + `><a href="` + html.EscapeString(v.SortLink(key)) + `" data-sort="` + html.EscapeString(key) + `">` +
		html.EscapeString(v.T(label)) + v.SortMark(key, cur) + `</a></th>`)
}

// PageLink is the link to page n of the current table.
func (v *view) PageLink(n int) string {
	return v.Link("page", strconv.Itoa(n))
}
