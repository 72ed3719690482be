// Package storetest is the conformance suite every server.Store runs: the
// store methods directly, and the whole HTTP API against a real server on
// 127.0.0.1 backed by the store under test. server/sqlite and
// server/postgres call Run (and the benchmarks) with their Backend.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

// Backend describes a store implementation to the suite.
type Backend struct {
	Name string
	// NewDSN returns the DSN of a fresh, empty database for one test.
	NewDSN func(t testing.TB) string
	// Open opens dsn (migrating it); cipher may be nil.
	Open func(ctx context.Context, dsn string, cipher *server.Cipher) (server.Store, error)
}

// Clock is an adjustable clock: real time plus an offset tests move.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// Env is one running server over a store under test.
type Env struct {
	T      testing.TB
	B      Backend
	DSN    string
	URL    string
	Store  server.Store
	Server *server.Server
	Key    *server.Key
	Clock  *Clock
	HTTP   *http.Client
	// MetricsToken reads /metrics (Config.MetricsToken of the server).
	MetricsToken string
	cfg          server.Config
}

// testMetricsToken is the /metrics bearer token of test servers.
const testMetricsToken = "storetest-metrics-token-0123456789"

// NewKey returns a random server key.
func NewKey(t testing.TB) *server.Key {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	k, err := server.ParseKey(hex.EncodeToString(b[:]))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Start opens a fresh database and serves it on 127.0.0.1:0. opts adjust
// the server config before it starts.
func Start(t testing.TB, b Backend, opts ...func(*server.Config)) *Env {
	t.Helper()
	e := &Env{T: t, B: b, DSN: b.NewDSN(t), Key: NewKey(t), Clock: &Clock{}}
	e.serve(opts...)
	return e
}

// Another starts a second server "process" (own store connection, own
// caches) on the same database and key, as in a multi-process deployment.
// opts adjust its config as in Start.
func (e *Env) Another(opts ...func(*server.Config)) *Env {
	e.T.Helper()
	o := &Env{T: e.T, B: e.B, DSN: e.DSN, Key: e.Key, Clock: e.Clock}
	o.serve(opts...)
	return o
}

func (e *Env) serve(opts ...func(*server.Config)) {
	t := e.T
	t.Helper()
	st, err := e.B.Open(context.Background(), e.DSN, e.Key.Cipher())
	if err != nil {
		t.Fatalf("open %s store: %v", e.B.Name, err)
	}
	if err := st.CheckKey(context.Background(), e.Key.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Store: st, Key: e.Key, Now: e.Clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		MetricsToken: testMetricsToken}
	for _, o := range opts {
		o(&cfg)
	}
	e.MetricsToken = cfg.MetricsToken
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	e.Store, e.Server, e.cfg = st, srv, cfg
	e.URL = "http://" + ln.Addr().String()
	e.HTTP = &http.Client{Timeout: 2 * time.Minute}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		srv.Close()
		st.Close()
	})
}

// Resp is a decoded response.
type Resp struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// Str returns a string field of the JSON body.
func (r Resp) Str(k string) string { s, _ := r.JSON[k].(string); return s }

// Num returns a number field of the JSON body.
func (r Resp) Num(k string) float64 { f, _ := r.JSON[k].(float64); return f }

// Do sends a request; body may be nil, []byte, string (sent as is) or any
// value (sent as JSON). token is sent as a Bearer credential when set.
func (e *Env) Do(method, path, token string, body any) Resp {
	e.T.Helper()
	return e.DoType(method, path, token, "application/json", body)
}

// DoType is Do with a content type.
func (e *Env) DoType(method, path, token, ctype string, body any) Resp {
	e.T.Helper()
	return e.do(method, path, token, ctype, body, true)
}

// DoRaw is Do without decoding the JSON body into a map (benchmarks).
func (e *Env) DoRaw(method, path, token string, body any) Resp {
	e.T.Helper()
	return e.do(method, path, token, "application/json", body, false)
}

func (e *Env) do(method, path, token, ctype string, body any, parse bool) Resp {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.HTTP.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := Resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if parse && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			e.T.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// Want fails the test unless r has the status (and error code, if given).
func (e *Env) Want(r Resp, status int, code string) {
	e.T.Helper()
	if r.Status != status || (code != "" && r.Str("error") != code) {
		e.T.Fatalf("got %d %s, want %d %s\n%s", r.Status, r.Str("error"), status, code, truncate(r.Raw))
	}
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// Device is a registered kiosk in a test.
type Device struct {
	ID, Token string
	chain     Chain
}

// Code creates an enrollment code directly in the store.
func (e *Env) Code(ttl time.Duration, units ...string) string {
	e.T.Helper()
	code := server.NewCode()
	if err := e.Store.CreateCode(context.Background(), server.HashSecret(server.NormalizeCode(code)), units, e.Clock.Now().Add(ttl), "test"); err != nil {
		e.T.Fatal(err)
	}
	return code
}

// Register creates a code and registers device id with it over HTTP.
func (e *Env) Register(id string, units ...string) *Device {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": e.Code(time.Hour, units...), "device_id": id, "name": "test " + id, "app_version": "0.3.0"})
	e.Want(r, 200, "")
	return &Device{ID: id, Token: r.Str("token"), chain: Chain{Device: id}}
}
