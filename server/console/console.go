// Package console is the HR web console served by hadir-server at "/":
// server-rendered pages for the regency's HR office (BKPSDM) and the unit
// operators. Every page reads and writes through the server's own API
// handlers, called in process with the session's access token, so the
// console enforces exactly the API's roles and unit scoping and shows
// exactly the API's numbers; the console adds the browser session, CSRF
// protection, paging and sorting, translation and formatting.
package console

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// Defaults for Options' zero values.
const (
	// DefaultIdleTimeout ends a session nobody has used for this long.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultMaxAge ends any session this old, used or not.
	DefaultMaxAge = 12 * time.Hour
	// DefaultOfflineAfter: a kiosk silent this long is shown as offline
	// (kiosks send a heartbeat every few minutes).
	DefaultOfflineAfter = 15 * time.Minute
	// DefaultOldBacklog: unsynced events older than this are an alert.
	DefaultOldBacklog = time.Hour
	// DefaultPageSize is the rows per table page.
	DefaultPageSize = 50
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the console. Server and Store are required.
type Options struct {
	// Server is the API the pages call in process.
	Server *server.Server
	// Store is read directly only where the API has no query the page
	// needs (the filtered audit log); roles are checked before.
	Store server.Store
	// Sessions keeps the browser sessions (nil: Store, which must then
	// implement server.ConsoleSessionStore, as the SQL stores do).
	Sessions server.ConsoleSessionStore
	// Schedule gives a unit's schedule, for its time zone (nil: the
	// national default, WIB).
	Schedule func(unit string) *attendance.Config
	// Now is the clock (nil: time.Now); use the server's.
	Now func() time.Time
	// Logger receives page errors (nil: slog.Default()).
	Logger *slog.Logger
	// IdleTimeout, MaxAge: session limits (zero: the defaults).
	IdleTimeout, MaxAge time.Duration
	// OfflineAfter, OldBacklog: fleet alert thresholds (zero: defaults).
	OfflineAfter, OldBacklog time.Duration
	// SecureCookie marks the session cookie Secure even on plain HTTP
	// requests (TLS ended by a reverse proxy). Requests over TLS always
	// get Secure.
	SecureCookie bool
	// PageSize is the rows per table page (zero: DefaultPageSize).
	PageSize int
}

// Console is the web console's HTTP handler.
type Console struct {
	opt   Options
	log   *slog.Logger
	api   http.Handler
	store server.ConsoleSessionStore
	pages map[string]*template.Template
	mux   *http.ServeMux
	tr    *translations
}

// New builds the console; mount it with server.MountPages.
func New(opt Options) (*Console, error) {
	if opt.Server == nil || opt.Store == nil {
		return nil, errors.New("console: Server and Store are required")
	}
	if opt.Sessions == nil {
		ss, ok := opt.Store.(server.ConsoleSessionStore)
		if !ok {
			return nil, errors.New("console: the store keeps no console sessions; set Options.Sessions")
		}
		opt.Sessions = ss
	}
	if opt.Schedule == nil {
		def := attendance.DefaultConfig()
		opt.Schedule = func(string) *attendance.Config { return def }
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = DefaultIdleTimeout
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = DefaultMaxAge
	}
	if opt.OfflineAfter <= 0 {
		opt.OfflineAfter = DefaultOfflineAfter
	}
	if opt.OldBacklog <= 0 {
		opt.OldBacklog = DefaultOldBacklog
	}
	if opt.PageSize <= 0 {
		opt.PageSize = DefaultPageSize
	}
	tr, err := loadTranslations()
	if err != nil {
		return nil, err
	}
	c := &Console{opt: opt, log: opt.Logger, api: opt.Server.Handler(), store: opt.Sessions, tr: tr, mux: http.NewServeMux()}
	if c.pages, err = c.parsePages(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(static)))
	c.routes()
	return c, nil
}

// ServeHTTP adds the security headers every page carries and serves it.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	c.mux.ServeHTTP(w, r)
}

// staticHandler serves the embedded assets with a day of caching (they
// change only with the binary).
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
