package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
)

// DefaultPasswordChecks is how many argon2id checks run at once: each
// takes ~19 MiB and a core for ~30 ms, so more than the cores only adds
// memory, never throughput.
var DefaultPasswordChecks = runtime.NumCPU()

// DefaultPhotoRequests is how many photo API requests are decoded and
// searched at once (each may hold a 48 MB decoded image and the engine).
var DefaultPhotoRequests = max(1, runtime.NumCPU()/2)

// DefaultIngestBatches is how many event batches are read, checked and
// stored at once. SQLite has one writer and PostgreSQL gains little past
// the cores, so more only holds more decoded batches in memory: with 75
// kiosks uploading at once the server's peak grew by ~150 MiB
// (BenchmarkRecap's Ingest75). Further batches wait for a slot (their
// bodies not yet read) until the request's context ends.
var DefaultIngestBatches = 2 * runtime.NumCPU()

// limiter bounds concurrent work without queueing: a request that finds
// it full is answered 503 at once instead of waiting (memory stays
// bounded however many arrive; the client retries after Retry-After).
type limiter chan struct{}

func newLimiter(n int) limiter { return make(limiter, n) }

// try takes a slot; the caller must call release after a true result.
func (l limiter) try() bool {
	select {
	case l <- struct{}{}:
		return true
	default:
		return false
	}
}

func (l limiter) release() { <-l }

// wait takes a slot, waiting for one until ctx ends; the caller must call
// release after a nil result.
func (l limiter) wait(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// busy is the 503 of a full limiter.
func busy(what string) *apiError {
	e := fail(http.StatusServiceUnavailable, "busy", "the server is busy with other %s: retry in a second", what)
	e.header = http.Header{"Retry-After": {"1"}}
	return e
}

// parseProxies reads Config.TrustedProxies (CIDRs or single addresses).
func parseProxies(cidrs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if !strings.Contains(c, "/") {
			a, err := netip.ParseAddr(c)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", c, err)
			}
			c = a.String() + "/" + strconv.Itoa(a.BitLen())
		}
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", c, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// clientAddr is the address a request comes from: the TCP peer, unless
// the peer is a trusted proxy; then X-Forwarded-For is read from the
// right (the entries our proxies appended) and the first address that is
// not a trusted proxy is the client. Entries left of it were written by
// the client and prove nothing.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled entry: the last good hop is the client
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return client.String()
}
