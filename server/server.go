package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// Config is what a Server needs. Store and Key are required.
type Config struct {
	Store Store
	Key   *Key
	// Logger receives request logs (never bodies, tokens or descriptors).
	Logger *slog.Logger
	// ModelsDir holds the face models for the photo API; the engine is
	// loaded on first use, so a server without models still serves sync.
	ModelsDir string
	// Schedule returns the attendance schedule of a unit (nil: the
	// national default for every unit).
	Schedule func(unit string) *attendance.Config
	// Now is the clock (nil: time.Now); tests move it to expire tokens.
	Now func() time.Time
	// AccessTTL and RefreshTTL are the JWT and refresh token lifetimes.
	AccessTTL, RefreshTTL time.Duration
	// Lockout is the per-user login limit; IPLockout the per-address one.
	Lockout, IPLockout LockoutPolicy
	// Faces is the shared lazy face engine (nil: one over ModelsDir,
	// closed with the server).
	Faces *FaceEngine
	// MaxPhotoBytes limits one uploaded photo.
	MaxPhotoBytes int64
	// MaxBacklogAge: a kiosk's oldest_pending claim older than this is a
	// fleet alert, not days excused as pending (DefaultMaxBacklogAge).
	MaxBacklogAge time.Duration
	// TrustedProxies are the CIDRs of reverse proxies whose
	// X-Forwarded-For is believed (none: the header is ignored).
	TrustedProxies []string
	// MetricsToken, when set, is a bearer token that may read /metrics
	// (for Prometheus); admins may always read it.
	MetricsToken string
	// PasswordChecks bounds concurrent argon2id checks (0:
	// DefaultPasswordChecks); logins beyond it get 503 at once.
	PasswordChecks int
	// PhotoRequests bounds concurrent photo API requests (0:
	// DefaultPhotoRequests); requests beyond it get 503 at once.
	PhotoRequests int
	// IngestBatches bounds event batches processed at once (0:
	// DefaultIngestBatches); further uploads wait for a slot.
	IngestBatches int
	// RecapParts is how many NIP ranges a recap of 1,000 people or more
	// reads and derives at once (0: GOMAXPROCS, at most
	// DefaultRecapMaxParts; 1: one at a time).
	RecapParts int
}

// Server serves the /api/v1 HTTP API, /healthz and /metrics.
type Server struct {
	cfg     Config
	store   Store
	log     *slog.Logger
	now     func() time.Time
	jwtKey  []byte
	mux     *http.ServeMux
	metrics *metrics
	faces   *FaceEngine
	ownFace bool
	routes  []route
	pages   atomic.Pointer[http.Handler] // MountPages (routes.go)

	proxies  []netip.Prefix
	pwChecks limiter // argon2id checks in progress
	photos   limiter // photo API requests in progress
	ingest   limiter // event batches in progress
}

// authKind says how a route authenticates.
type authKind int

const (
	authNone    authKind = iota
	authDevice           // Bearer device token
	authUser             // Bearer JWT
	authMetrics          // an admin's JWT or Config.MetricsToken
)

// route is one entry of the routing table; the OpenAPI test reads the same
// table through Routes.
type route struct {
	method, path string
	auth         authKind
	roles        []Role // authUser: allowed roles (nil: any)
	h            func(w http.ResponseWriter, r *http.Request, p *principal) error
}

// principal is who is calling.
type principal struct {
	device *Device
	user   *User
	remote string
}

// actor names the principal in the audit log.
func (p *principal) actor() string {
	switch {
	case p.user != nil:
		return "user:" + p.user.Name
	case p.device != nil:
		return "device:" + p.device.ID
	}
	return "anonymous"
}

// New builds a server from cfg, filling defaults.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Key == nil {
		return nil, errors.New("server: Store and Key are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 7 * 24 * time.Hour
	}
	if cfg.Lockout.Max <= 0 {
		cfg.Lockout = LockoutPolicy{Max: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	}
	if cfg.IPLockout.Max <= 0 {
		cfg.IPLockout = LockoutPolicy{Max: 100, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	}
	if cfg.MaxBacklogAge <= 0 {
		cfg.MaxBacklogAge = DefaultMaxBacklogAge
	}
	if cfg.MaxPhotoBytes <= 0 {
		cfg.MaxPhotoBytes = 8 << 20
	}
	if cfg.PasswordChecks <= 0 {
		cfg.PasswordChecks = DefaultPasswordChecks
	}
	if cfg.PhotoRequests <= 0 {
		cfg.PhotoRequests = DefaultPhotoRequests
	}
	if cfg.IngestBatches <= 0 {
		cfg.IngestBatches = DefaultIngestBatches
	}
	proxies, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if cfg.Schedule == nil {
		def := attendance.DefaultConfig()
		cfg.Schedule = func(string) *attendance.Config { return def }
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, jwtKey: cfg.Key.derive("jwt-hs256"),
		mux: http.NewServeMux(), metrics: newMetrics(), proxies: proxies,
		pwChecks: newLimiter(cfg.PasswordChecks), photos: newLimiter(cfg.PhotoRequests),
		ingest: newLimiter(cfg.IngestBatches)}
	s.faces = cfg.Faces
	if s.faces == nil {
		s.faces, s.ownFace = NewFaceEngine(cfg.ModelsDir), true
	}
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.servePages(w, r) {
			return
		}
		if allow := s.allowed(r.URL.Path); len(allow) > 0 {
			s.metrics.request("unmatched", http.StatusMethodNotAllowed)
			e := fail(http.StatusMethodNotAllowed, "method_not_allowed", "%s %s: use %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
			e.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
			s.writeError(w, r, e)
			return
		}
		s.metrics.request("unmatched", http.StatusNotFound)
		s.writeError(w, r, fail(http.StatusNotFound, "not_found", "no route %s %s", r.Method, r.URL.Path))
	})
	return s, nil
}

// allowed returns the methods of the routes whose pattern matches path,
// so a wrong method gets 405 with the contract's JSON error body.
func (s *Server) allowed(path string) []string {
	var out []string
	got := strings.Split(strings.Trim(path, "/"), "/")
	for _, rt := range s.routes {
		want := strings.Split(strings.Trim(rt.path, "/"), "/")
		if len(want) != len(got) {
			continue
		}
		match := true
		for i := range want {
			if want[i] != got[i] && !strings.HasPrefix(want[i], "{") {
				match = false
				break
			}
		}
		if match && !slices.Contains(out, rt.method) {
			out = append(out, rt.method)
		}
	}
	return out
}

// Routes lists "METHOD PATH" of every route, as registered.
func (s *Server) Routes() []string {
	out := make([]string, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Close releases the face engine (the store belongs to the caller).
func (s *Server) Close() {
	if s.ownFace {
		s.faces.Close()
	}
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully,
// letting requests in flight finish (up to 10 s).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shut)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// statusWriter records the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// wrap authenticates, authorises, runs the handler, writes errors, and
// logs and counts the request.
func (s *Server) wrap(rt route) http.Handler {
	name := rt.method + " " + rt.path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		p := &principal{remote: s.clientAddr(r)}
		err := s.authenticate(r, rt, p)
		if err == nil {
			err = rt.h(sw, r, p)
		}
		if err != nil {
			s.writeError(sw, r, err)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.metrics.request(name, sw.status)
		s.log.Info("request", "route", name, "path", r.URL.Path, "status", sw.status,
			"ms", time.Since(start).Milliseconds(), "remote", p.remote, "who", p.actor())
	})
}

// bearer returns the Authorization bearer credential.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	tok := strings.TrimSpace(h[7:])
	return tok, tok != ""
}

func (s *Server) authenticate(r *http.Request, rt route, p *principal) error {
	switch rt.auth {
	case authNone:
		return nil
	case authDevice:
		tok, ok := bearer(r)
		if !ok {
			return fail(http.StatusUnauthorized, "unauthorized", "device token missing: send Authorization: Bearer <token>")
		}
		d, err := s.store.DeviceByToken(r.Context(), HashSecret(tok))
		if errors.Is(err, ErrNotFound) {
			return fail(http.StatusUnauthorized, "unauthorized", "unknown device token")
		}
		if err != nil {
			return err
		}
		if d.Revoked() {
			return fail(http.StatusUnauthorized, "device_revoked", "device %s was revoked at %s; register it again with a new code", d.ID, d.RevokedAt.Format(time.RFC3339))
		}
		p.device = &d
		return nil
	}
	tok, ok := bearer(r)
	if !ok {
		return fail(http.StatusUnauthorized, "unauthorized", "access token missing: log in at POST /api/v1/auth/login")
	}
	if rt.auth == authMetrics && s.cfg.MetricsToken != "" &&
		subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.MetricsToken)) == 1 {
		return nil
	}
	claims, err := s.verifyJWT(tok)
	if err != nil {
		return err
	}
	u, err := s.store.SessionUser(r.Context(), claims.Sid, claims.userID)
	if errors.Is(err, ErrNotFound) {
		return fail(http.StatusUnauthorized, "unauthorized", "the session of this token has ended (logout or revoked) or its user no longer exists: log in again")
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return fail(http.StatusUnauthorized, "unauthorized", "user %s is disabled", u.Name)
	}
	p.user = &u
	if rt.roles != nil && !hasRole(u.Role, rt.roles) {
		return fail(http.StatusForbidden, "forbidden", "role %s may not %s %s", u.Role, rt.method, rt.path)
	}
	return nil
}

func hasRole(r Role, allowed []Role) bool {
	for _, a := range allowed {
		if a == r {
			return true
		}
	}
	return false
}
