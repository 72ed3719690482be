package sync

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	gosync "sync"
	"testing"
	"time"
)

// faultKind is what the proxy does to one request.
type faultKind int

const (
	pass         faultKind = iota // forward, answer
	cutRequest                    // forward only the first N bytes of the request, then cut both sides
	cutResponse                   // forward the request, return only the first N bytes of the answer, cut
	dropResponse                  // forward the request (the server commits), cut without answering: the lost ack
	delayResp                     // forward, hold the answer for Delay, then answer
	status                        // answer Status with a JSON error, never reaching the server
	hold                          // forward, then call Hook before answering (kill something mid-exchange)
)

// fault is the proxy's decision for one request.
type fault struct {
	Kind   faultKind
	N      int
	Status int
	Delay  time.Duration
	Hook   func() // for hold: runs after the server got the request, before the answer is relayed
}

// faultProxy is an HTTP/1.1 proxy on 127.0.0.1 in front of the real
// server that breaks exchanges at the byte level: it reads each request
// from the kiosk, asks its policy what to do, and forwards, cuts, drops,
// delays or answers itself. The server side is a fresh connection per
// request. Every connection and goroutine ends with Close.
type faultProxy struct {
	ln       net.Listener
	upstream string // host:port of the server
	url      string

	mu     gosync.Mutex
	policy func(n int, r *http.Request) fault
	count  map[string]int // path -> requests seen
	conns  map[net.Conn]bool
	closed bool
	wg     gosync.WaitGroup
}

// newFaultProxy proxies to upstream (host:port); with tlsCfg it
// terminates TLS toward the kiosk. Closed at cleanup.
func newFaultProxy(t testing.TB, upstream string, tlsCfg *tls.Config) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https"
	}
	p := &faultProxy{ln: ln, upstream: upstream, url: scheme + "://" + ln.Addr().String(),
		count: map[string]int{}, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// setPolicy installs the decision function; n counts requests to the
// same path from 1.
func (p *faultProxy) setPolicy(f func(n int, r *http.Request) fault) {
	p.mu.Lock()
	p.policy = f
	p.mu.Unlock()
}

// onNth applies f to the listed occurrences of path, passing the rest.
func onNth(path string, f fault, ns ...int) func(int, *http.Request) fault {
	return func(n int, r *http.Request) fault {
		if r.URL.Path != path {
			return fault{}
		}
		for _, k := range ns {
			if k == n {
				return f
			}
		}
		return fault{}
	}
}

func (p *faultProxy) requests(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count[path]
}

// Close stops accepting, cuts every connection and waits for the
// connection goroutines.
func (p *faultProxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	_ = p.ln.Close()
	p.wg.Wait()
}

func (p *faultProxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add && p.closed {
		return false
	}
	if add {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c, true) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.track(c, false)
			defer c.Close()
			p.serveConn(c)
		}()
	}
}

func (p *faultProxy) serveConn(c net.Conn) {
	br := bufio.NewReader(c)
	for range 100_000 { // bounded keep-alive
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Minute))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		var raw bytes.Buffer
		if err := req.Write(&raw); err != nil { // drains the body
			return
		}
		p.mu.Lock()
		p.count[req.URL.Path]++
		n := p.count[req.URL.Path]
		policy := p.policy
		p.mu.Unlock()
		f := fault{}
		if policy != nil {
			f = policy(n, req)
		}
		if !p.handle(c, raw.Bytes(), f) {
			return
		}
	}
}

// handle carries out f for one serialized request; false ends the
// kiosk's connection.
func (p *faultProxy) handle(c net.Conn, raw []byte, f fault) bool {
	if f.Kind == status {
		body := fmt.Sprintf(`{"error":"proxy_fault","message":"injected %d","server_time":"%s"}`, f.Status, time.Now().UTC().Format(time.RFC3339Nano))
		_, err := fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			f.Status, http.StatusText(f.Status), len(body), body)
		return err == nil
	}
	up, err := net.DialTimeout("tcp", p.upstream, 10*time.Second)
	if err != nil {
		return false // server down: the kiosk sees a cut connection
	}
	defer up.Close()
	if f.Kind == cutRequest {
		_, _ = up.Write(raw[:min(f.N, len(raw))])
		return false
	}
	if _, err := up.Write(raw); err != nil {
		return false
	}
	if f.Kind == hold && f.Hook != nil {
		f.Hook()
	}
	_ = up.SetReadDeadline(time.Now().Add(2 * time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(up), nil)
	if err != nil {
		return false
	}
	var out bytes.Buffer
	err = resp.Write(&out)
	resp.Body.Close()
	if err != nil {
		return false
	}
	switch f.Kind {
	case dropResponse:
		return false
	case cutResponse:
		_, _ = c.Write(out.Bytes()[:min(f.N, out.Len())])
		return false
	case delayResp:
		t := time.NewTimer(f.Delay)
		<-t.C
	}
	_, err = io.Copy(c, &out)
	return err == nil
}
