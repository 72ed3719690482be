package sync

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the server's SQLite driver, to read its event IDs

	"github.com/hadir-id/hadir/internal/testutil"
)

// The real hadir-server, built once per test binary into tmpRoot.
var (
	tmpRoot     string // made by TestMain, removed after the tests
	buildOnce   gosync.Once
	serverBin   string
	buildErr    error
	serverKeyHx = strings.Repeat("5e", 32)
)

func buildServer(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		serverBin = filepath.Join(tmpRoot, "hadir-server")
		args := append(append([]string{"build"}, testutil.BuildFlags()...), "-o", serverBin, "./cmd/hadir-server")
		cmd := exec.Command("go", args...)
		cmd.Dir = testutil.RepoRoot(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hadir-server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return serverBin
}

// realServer is one hadir-server process on 127.0.0.1 with its SQLite
// database in dir; it survives kill and restart on the same port.
type realServer struct {
	t        testing.TB
	bin, dir string
	dsn      string
	addr     string // host:port once started
	url      string
	extra    []string // extra serve flags (TLS)
	stderr   *testutil.LockedBuffer

	mu   gosync.Mutex // cmd and done: a proxy hook may kill the server
	cmd  *exec.Cmd
	done chan struct{}
}

// startServer starts a server on a fresh database, stopped at cleanup.
func startServer(t testing.TB, extra ...string) *realServer {
	t.Helper()
	dir := t.TempDir()
	s := &realServer{t: t, bin: buildServer(t), dir: dir, dsn: "sqlite:" + filepath.Join(dir, "s.db"), addr: "127.0.0.1:0", extra: extra}
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("hadir-server stderr:\n%s", s.stderr.String())
		}
	})
	return s
}

func (s *realServer) env() []string {
	return append(os.Environ(), "HADIR_SERVER_KEY="+serverKeyHx)
}

// start launches the process (on s.addr: the same port after a restart)
// and waits, bounded, for it to write its address file.
func (s *realServer) start() {
	s.t.Helper()
	addrFile := filepath.Join(s.dir, "addr")
	_ = os.Remove(addrFile)
	args := append([]string{"--addr", s.addr, "--addr-file", addrFile, "--db", s.dsn, "--data", s.dir}, s.extra...)
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env()
	if s.stderr == nil {
		s.stderr = &testutil.LockedBuffer{}
	}
	cmd.Stderr, cmd.Stdout = s.stderr, s.stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }() // owned by s; ends with the process
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			s.url = strings.TrimSpace(string(b))
			u, err := url.Parse(s.url)
			if err != nil {
				s.t.Fatalf("address file %q: %v", b, err)
			}
			s.addr = u.Host
			return
		}
		select {
		case <-done:
			s.t.Fatalf("hadir-server exited at start:\n%s", s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("hadir-server did not listen within 60 s:\n%s", s.stderr.String())
		}
	}
}

// kill SIGKILLs the process and waits for it.
func (s *realServer) kill() { s.signal(syscall.SIGKILL) }

// stop ends the process gracefully (SIGTERM), SIGKILL after 20 s.
func (s *realServer) stop() { s.signal(syscall.SIGTERM) }

func (s *realServer) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// restart starts the process again on the same port and database.
func (s *realServer) restart() { s.start() }

// cli runs a hadir-server subcommand on the database and returns stdout.
func (s *realServer) cli(stdin string, args ...string) string {
	s.t.Helper()
	// Flags must precede positional arguments: --db goes right after the
	// subcommand words.
	sub := 1
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && (args[0] == "user" || args[0] == "device" || args[0] == "employee") {
		sub = 2
	}
	full := append(append(append([]string{}, args[:sub]...), "--db", s.dsn), args[sub:]...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, full...)
	cmd.Env = s.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("hadir-server %v: %v\n%s", full, err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// code makes a one-time registration code (all units when none given).
func (s *realServer) code(units ...string) string {
	s.t.Helper()
	args := []string{"code"}
	for _, u := range units {
		args = append(args, "--unit", u)
	}
	if len(units) == 0 {
		args = append(args, "--all-units") // a code for every unit must say so
	}
	return s.cli("", args...)
}

// eventIDs reads the server's event IDs from its SQLite file, read-only
// (the server offers no listing of all events); id is the primary key,
// and the map counts rows anyway in case that ever changes.
func (s *realServer) eventIDs() map[string]int {
	s.t.Helper()
	path := strings.TrimPrefix(s.dsn, "sqlite:")
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id FROM events")
	if err != nil {
		s.t.Fatalf("read server events: %v", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			s.t.Fatal(err)
		}
		out[id]++
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// registerKiosk registers a worker with the server through base (the
// server itself or a proxy in front of it).
func registerKiosk(t testing.TB, w *Worker, srv *realServer, base string) {
	t.Helper()
	if err := w.Register(context.Background(), base, srv.code(), "Lobby BKPSDM"); err != nil {
		t.Fatalf("register: %v", err)
	}
}

// isNetErr: a failure the worker must survive by retrying.
func isNetErr(err error) bool {
	return errors.Is(err, ErrOffline) || errors.Is(err, ErrServer) || errors.Is(err, ErrProtocol)
}
