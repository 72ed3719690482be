package testutil

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proc is a child process a test owns: Stop kills it and waits, and runs
// from t.Cleanup too, so no process outlives its test.
type Proc struct {
	cmd  *exec.Cmd
	out  *LockedBuffer
	done chan struct{}
	once sync.Once
}

// LockedBuffer collects a child process's output while tests read it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartProc starts name with args, its output captured for Output.
func StartProc(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	p := &Proc{out: &LockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", filepath.Base(name), err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.Stop)
	return p
}

// Stop kills the process and waits for it (idempotent).
func (p *Proc) Stop() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output is what the process printed so far (stdout and stderr).
func (p *Proc) Output() string { return p.out.String() }

// WaitFor polls cond every 10 ms until it holds or d passes (bounded in
// count and time; it never sleeps past the condition). what describes the
// condition for the failure message.
func WaitFor(t testing.TB, d time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		if cond() {
			return
		}
		if time.Now().After(deadline) || i > int(d/(10*time.Millisecond))+10 {
			t.Fatalf("timed out after %v waiting for %s", d, what())
		}
		<-tick.C
	}
}

// FreePort returns a TCP port on loopback that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RSSMiB is this process's resident memory from /proc (0 elsewhere), for
// benchmarks that report memory.
func RSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
