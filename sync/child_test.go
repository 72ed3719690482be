package sync

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hadir-id/hadir/storage"
)

// A kiosk in a child process: the test binary re-executes itself with
// HADIR_SYNC_CHILD=sync; TestMain then opens the store in
// HADIR_SYNC_DIR and syncs it until the outbox is empty, printing
// "ready", then "done", and exits when stdin closes. The parent can
// SIGKILL it at any point.
const (
	envChild      = "HADIR_SYNC_CHILD"
	envChildDir   = "HADIR_SYNC_DIR"
	envChildBatch = "HADIR_SYNC_BATCH"
)

func runChild(mode string) error {
	if mode != "sync" {
		return fmt.Errorf("unknown child mode %q", mode)
	}
	opts := storeOptions()
	k, err := storage.ParseKey(os.Getenv(storage.EnvKey))
	if err != nil {
		return err
	}
	opts.Key = k
	s, err := storage.Open(os.Getenv(envChildDir), opts)
	if err != nil {
		return err
	}
	defer s.Close()
	o := DefaultOptions()
	o.BatchSize, _ = strconv.Atoi(os.Getenv(envChildBatch))
	o.Timeout = 10 * time.Second
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := New(s, nil, o)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	ctx := context.Background()
	bo := newBackoff(5*time.Millisecond, 100*time.Millisecond, nil)
	for i := 0; ; i++ {
		if i == 5000 {
			return errors.New("outbox not empty after 5000 cycles")
		}
		err := w.Sync(ctx)
		if err == nil {
			if n, err := s.OutboxLen(ctx); err == nil && n == 0 {
				break
			}
			continue
		}
		if errors.Is(err, ErrRevoked) || errors.Is(err, ErrNotRegistered) {
			return err
		}
		time.Sleep(bo.Next()) // a retry pause of the child's loop, not test synchronisation
	}
	fmt.Println("done")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// kioskChild is a running child kiosk.
type kioskChild struct {
	cmd   *exec.Cmd
	lines chan string
	stdin io.WriteCloser
	done  chan struct{}
}

func startKioskChild(t *testing.T, dir string, batch int) *kioskChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=sync", envChildDir+"="+dir,
		envChildBatch+"="+strconv.Itoa(batch), storage.EnvKey+"="+hex.EncodeToString(testKey))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &kioskChild{cmd: cmd, lines: make(chan string, 16), stdin: stdin, done: make(chan struct{})}
	go func() { // owned by c: ends when the child's stdout closes
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	go func() { _ = cmd.Wait(); close(c.done) }() // ends with the process
	t.Cleanup(c.kill)
	return c
}

// expect waits (bounded) for the child to print want.
func (c *kioskChild) expect(t *testing.T, want string) {
	t.Helper()
	timeout := time.NewTimer(120 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before printing %q", want)
			}
			if l == want {
				return
			}
		case <-timeout.C:
			t.Fatalf("child did not print %q within 120 s", want)
		}
	}
}

// kill SIGKILLs the child and waits for it.
func (c *kioskChild) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// finish closes stdin and waits for a clean exit.
func (c *kioskChild) finish(t *testing.T) {
	t.Helper()
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		t.Fatal("child did not exit after stdin closed")
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("child exit code %d", code)
	}
}
