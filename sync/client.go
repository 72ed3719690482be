package sync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/hadir-id/hadir/api"
)

// conn is one server's /api/v1 over resty: no retries (the worker owns
// retry), no logging of tokens or bodies, every exchange timed against
// the server clock.
type conn struct {
	rc    *resty.Client
	base  string
	token string
	clock Clock
	// onOffset receives each measured offset to the server clock.
	onOffset func(time.Duration)
}

// tlsConfig trusts the system roots plus the PEM certificates of caFile.
func tlsConfig(caFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// checkURL accepts an https base URL with a host and no query; http only
// to a loopback address (a server on the kiosk itself), or anywhere when
// the lab flag allowInsecure is set, which is logged: kiosks send bearer
// tokens and attendance, which plain http hands to anyone on the path.
func checkURL(raw string, allowInsecure bool, log *slog.Logger) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", fmt.Errorf("server URL %q: want https://host[:port][/path]", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		if !allowInsecure {
			return "", fmt.Errorf("%w: %q is plain http to a host other than this machine", ErrInsecureURL, raw)
		}
		log.Warn("sync: plain http to a remote server allowed by the lab flag; never use it in production", "url", u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// checkURL applies the worker's options to checkURL.
func (w *Worker) checkURL(raw string) (string, error) {
	return checkURL(raw, w.opts.AllowInsecureHTTP, w.opts.Logger)
}

// isLoopback: localhost or a loopback IP literal.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newConn(base, token string, tlsCfg *tls.Config, opts Options, onOffset func(time.Duration)) *conn {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg.Clone(),
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	rc := resty.NewWithClient(&http.Client{Transport: tr}).
		SetBaseURL(base).
		SetTimeout(opts.Timeout).
		SetRetryCount(0).
		SetDebug(false).
		SetDisableWarn(true).
		SetLogger(nopLogger{}).
		SetResponseBodyLimit(api.MaxResponseBytes).
		SetRedirectPolicy(resty.NoRedirectPolicy()).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "hadir-kiosk/"+opts.AppVersion)
	return &conn{rc: rc, base: base, token: token, clock: opts.Clock, onOffset: onOffset}
}

// close drops idle connections.
func (a *conn) close() { a.rc.GetClient().CloseIdleConnections() }

// do sends one request (body: JSON bytes or nil) and decodes a 2xx
// answer into out. Errors: ErrOffline for transport failures, *APIError
// for 4xx/5xx, ErrProtocol for an undecodable answer; the context's
// error when ctx ended.
func (a *conn) do(ctx context.Context, op, method, path string, query url.Values, body []byte, out any) (err error) {
	req := a.rc.R().SetContext(ctx)
	if a.token != "" {
		req.SetAuthToken(a.token)
	}
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	send := a.clock.Now()
	resp, err := req.Execute(method, path)
	recv := a.clock.Now()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return fmt.Errorf("%s: %w: %v", op, ErrOffline, scrub(err))
	}
	raw := resp.Body()
	var env api.ErrorResponse
	jerr := json.Unmarshal(raw, &env)
	a.measure(env.ServerTime, resp.Header().Get("Date"), send, recv)
	status := resp.StatusCode()
	if status < 200 || status > 299 {
		if jerr != nil {
			env = api.ErrorResponse{Error: http.StatusText(status)}
		}
		return &APIError{Op: op, Status: status, Code: env.Error, Message: env.Message, env: env}
	}
	if jerr != nil {
		return fmt.Errorf("%s: %w: answer is not JSON (%d bytes)", op, ErrProtocol, len(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s: %w: %v", op, ErrProtocol, err)
		}
	}
	return nil
}

// measure computes offset = server time - midpoint(send, receive) from
// the body's server_time, or the Date header (whole seconds, truncated:
// +0.5 s is its expected error) when the body has none.
func (a *conn) measure(serverTime, date string, send, recv time.Time) {
	if a.onOffset == nil {
		return
	}
	mid := send.Add(recv.Sub(send) / 2)
	if t, err := time.Parse(time.RFC3339Nano, serverTime); err == nil {
		a.onOffset(t.Sub(mid))
		return
	}
	if t, err := http.ParseTime(date); err == nil {
		a.onOffset(t.Add(500 * time.Millisecond).Sub(mid))
	}
}

// scrub keeps a transport error's message but never a URL's userinfo.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// nopLogger silences resty, which would otherwise print request details.
type nopLogger struct{}

func (nopLogger) Errorf(string, ...any) {}
func (nopLogger) Warnf(string, ...any)  {}
func (nopLogger) Debugf(string, ...any) {}
