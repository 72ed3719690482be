package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/server/storetest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds ./cmd/hadir-server once per test run.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hadir-server-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hadir-server")
		args := append(append([]string{"build"}, testutil.BuildFlags()...), "-o", binPath, ".")
		out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// cli runs a maintenance command and returns stdout.
func runCLI(t testing.TB, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HADIR_SERVER_KEY=") {
			env = append(env, kv)
		}
	}
	return env
}

// proc is a running server process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	mu     *sync.Mutex
	done   chan struct{}
}

// start runs the server and waits (by reading its stderr, no sleeping)
// for the "listening on" line.
func start(t testing.TB, dir string, env []string, args ...string) (*proc, error) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if u, ok := strings.CutPrefix(line, "hadir-server listening on "); ok && !sent {
				found <- u
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	go func() { cmd.Wait(); close(p.done) }()
	u, ok := <-found
	if !ok {
		<-p.done
		return p, fmt.Errorf("server exited: %s", p.log())
	}
	p.url = u
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p, nil
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func do(t testing.TB, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

func TestBinary(t *testing.T) {
	base := t.TempDir()
	t.Run("sqlite", func(t *testing.T) {
		testBinary(t, filepath.Join(base, "sqlite"), "sqlite:"+filepath.Join(base, "sqlite", "hadir.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testBinary(t, filepath.Join(base, "postgres"), storetest.PostgresSchema(t))
	})
}

func testBinary(t *testing.T, dir, dsn string) {
	os.MkdirAll(dir, 0o755)
	code, stderr, rc := runCLI(t, dir, "", "code", "--db", dsn, "--unit", "DINKES", "--ttl", "1h")
	code = strings.TrimSpace(code)
	if rc != 0 || strings.Count(code, "\n") != 0 || len(code) != 19 {
		t.Fatalf("code: rc %d %q %s", rc, code, stderr)
	}
	if out, stderr, rc := runCLI(t, dir, "admin-password-123\n", "user", "add", "--db", dsn, "--name", "admin", "--role", "admin"); rc != 0 {
		t.Fatalf("user add: %d %s %s", rc, out, stderr)
	}
	addrFile := filepath.Join(dir, "addr")
	p, err := start(t, dir, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--data", filepath.Join(dir, "data"), "--addr-file", addrFile)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(addrFile); err != nil || strings.TrimSpace(string(b)) != p.url {
		t.Fatalf("addr file %q %v, want %s", b, err, p.url)
	}
	if st, err := os.Stat(filepath.Join(dir, "data", "server.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if strings.HasPrefix(dsn, "sqlite:") {
		// The database holds attendance and password hashes: owner only.
		for _, f := range []string{"hadir.db", "hadir.db-wal", "hadir.db-shm"} {
			if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v, want mode 0600", f, st.Mode(), err)
			}
		}
	}
	api := p.url + "/api/v1"
	st, reg := do(t, "POST", api+"/devices/register", "", map[string]any{"code": code, "device_id": "K1", "name": "Lobby"})
	if st != 200 {
		t.Fatalf("register: %d %v", st, reg)
	}
	token := reg["token"].(string)
	st, login := do(t, "POST", api+"/auth/login", "", map[string]any{"name": "admin", "password": "admin-password-123"})
	if st != 200 {
		t.Fatalf("login: %d %v", st, login)
	}
	nip := storetest.NIP(1)
	tpl := storetest.WireTemplate(storetest.Templates(storetest.Seed(1), 1)[0])
	if st, m := do(t, "POST", api+"/enrollments", token, map[string]any{"employee": map[string]any{"nip": nip, "name": "A", "unit": "DINKES"}, "templates": []any{tpl}}); st != 200 {
		t.Fatalf("enrollment: %d %v", st, m)
	}
	// Erasure from the command line becomes a roster deletion.
	if out, stderr, rc := runCLI(t, dir, "", "employee", "delete", "--db", dsn, nip); rc != 0 {
		t.Fatalf("employee delete: %s %s", out, stderr)
	}
	_, roster := do(t, "GET", api+"/roster", token, nil)
	ch := roster["changes"].([]any)
	if len(ch) != 1 || ch[0].(map[string]any)["deleted"] != true {
		t.Errorf("roster after erasure: %v", roster)
	}
	// Revocation from the command line takes effect on the running server.
	if out, stderr, rc := runCLI(t, dir, "", "device", "revoke", "--db", dsn, "K1"); rc != 0 {
		t.Fatalf("device revoke: %s %s", out, stderr)
	}
	if st, m := do(t, "GET", api+"/roster", token, nil); st != 401 || m["error"] != "device_revoked" {
		t.Errorf("revoked device: %d %v", st, m)
	}
	// Graceful stop on SIGTERM.
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		t.Fatal("server did not stop on SIGTERM")
	}
	if p.cmd.ProcessState.ExitCode() != 0 || !strings.Contains(p.log(), "hadir-server stopped") {
		t.Errorf("exit %d, log:\n%s", p.cmd.ProcessState.ExitCode(), p.log())
	}
	for _, secret := range []string{code, token, "admin-password-123", login["access_token"].(string)} {
		if strings.Contains(p.log(), secret) {
			t.Errorf("server log contains a secret")
		}
	}
	// The key file is reused; a wrong key is refused.
	p2, err := start(t, dir, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--data", filepath.Join(dir, "data"))
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	p2.cmd.Process.Signal(syscall.SIGINT)
	<-p2.done
	_, err = start(t, dir, []string{"HADIR_SERVER_KEY=" + strings.Repeat("ab", 32)}, "--addr", "127.0.0.1:0", "--db", dsn)
	if err == nil || !strings.Contains(err.Error(), "wrong server key") {
		t.Errorf("wrong key: %v", err)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"frobnicate"},
		{"--no-such-flag"},
		{"user", "add", "--name", "x", "--role", "king"},
		{"user", "add", "--name", "op", "--role", "operator"},
		{"device", "revoke"},
		{"employee", "delete", "a", "b"},
		{"code", "--ttl", "-1h", "--unit", "DINKES"},
		{"code"}, // a code for every unit only with --all-units
		{"code", "--all-units", "--unit", "DINKES"},
	} {
		if _, stderr, rc := runCLI(t, dir, "password-long-enough\n", args...); rc != 2 || !strings.Contains(stderr, "usage:") {
			t.Errorf("%v: rc %d, stderr %q", args, rc, stderr)
		}
	}
	if _, stderr, rc := runCLI(t, dir, "short\n", "user", "add", "--db", "sqlite:"+filepath.Join(dir, "x.db"), "--name", "a", "--role", "admin"); rc != 1 || !strings.Contains(stderr, "at least") {
		t.Errorf("short password: %d %s", rc, stderr)
	}
	if _, stderr, rc := runCLI(t, dir, "", "device", "revoke", "--db", "sqlite:"+filepath.Join(dir, "x.db"), "NOPE"); rc != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("revoke unknown: %d %s", rc, stderr)
	}
	if out, stderr, rc := runCLI(t, dir, "", "code", "--db", "sqlite:"+filepath.Join(dir, "x.db"), "--all-units"); rc != 0 || len(strings.TrimSpace(out)) != 19 {
		t.Errorf("code --all-units: %d %q %s", rc, out, stderr)
	}
	// No flags: SQLite file in the working directory.
	p, err := start(t, dir, nil, "--addr", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "hadir-server.db")); err != nil {
		t.Errorf("default database not in the working directory: %v", err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
}

// TestKeyFilePermissions: a server key readable by others is refused at
// start with a message saying how to fix it; a new key file is 0600.
func TestKeyFilePermissions(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "server.key")
	if err := os.WriteFile(key, []byte(strings.Repeat("cd", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := start(t, dir, nil, "--addr", "127.0.0.1:0", "--key-file", key)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a 0644 key file was not refused clearly: %v", err)
	}
	os.Chmod(key, 0o600)
	p, err := start(t, dir, nil, "--addr", "127.0.0.1:0", "--key-file", key)
	if err != nil {
		t.Fatalf("0600 key file refused: %v", err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
}
