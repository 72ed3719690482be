package storage

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// Child processes: the test binary re-executes itself with
// HADIR_STORAGE_CHILD set to a mode, and TestMain runs that mode instead
// of the tests. The store directory is HADIR_STORAGE_DIR and the key
// comes from HADIR_KEY, as in production (OptionsFromEnv).
const (
	envChild    = "HADIR_STORAGE_CHILD"
	envChildDir = "HADIR_STORAGE_DIR"
	envFsize    = "HADIR_STORAGE_FSIZE"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envChild); mode != "" {
		if err := runChild(mode, os.Getenv(envChildDir)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	code := m.Run()
	removeFixture()
	os.Exit(code)
}

func runChild(mode, dir string) error {
	opts, err := OptionsFromEnv()
	if err != nil {
		return err
	}
	opts.DeviceID = "KIOSK-CHILD"
	switch mode {
	case "crash":
		return childRecord(dir, opts, false)
	case "fill":
		// Limit the size of any file this process writes; beyond it
		// write(2)/ftruncate(2) fail with EFBIG instead of raising SIGXFSZ.
		var limit uint64
		if _, err := fmt.Sscan(os.Getenv(envFsize), &limit); err != nil {
			return fmt.Errorf("%s: %w", envFsize, err)
		}
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			return err
		}
		return childRecord(dir, opts, true)
	case "hold":
		return childHold(dir, opts)
	case "enroll":
		return childEnroll(dir, opts)
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// childRecord records events as fast as it can, printing each ID only
// after RecordEvent(s) returned (one write(2) per acknowledgement, so a
// kill never leaves half a line). With untilFull it stops at the first
// error and prints "FULL" if it was ErrStorageFull.
func childRecord(dir string, opts Options, untilFull bool) error {
	s, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	photo := fakeJPEG(16 << 10)
	for i := 0; i < 1_000_000; i++ {
		var ids []string
		if !untilFull && i%5 == 4 {
			recs := make([]Record, 3)
			for j := range recs {
				recs[j] = Record{Event: sampleEvent(i*10+j, time.Now())}
			}
			evs, err := s.RecordEvents(ctx, recs)
			if err != nil {
				return err
			}
			for _, e := range evs {
				ids = append(ids, e.ID)
			}
		} else {
			var p []byte
			if untilFull || i%3 == 0 {
				p = photo
			}
			e, err := s.RecordEvent(ctx, sampleEvent(i, time.Now()), p)
			if untilFull && err != nil {
				if errors.Is(err, ErrStorageFull) {
					fmt.Fprintf(os.Stdout, "FULL %v\n", err)
					return nil
				}
				fmt.Fprintf(os.Stdout, "OTHER %v\n", err)
				return nil
			}
			if err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		line := ""
		for _, id := range ids {
			line += id + "\n"
		}
		if _, err := io.WriteString(os.Stdout, line); err != nil {
			return err
		}
	}
	return errors.New("recorded a million events without being stopped")
}

// childHold opens the store, says "ready", and keeps recording events
// (so readers of the file see commits happen) until stdin closes.
func childHold(dir string, opts Options) error {
	s, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	stop := make(chan struct{})
	go func() { // owned by childHold; ends when the parent closes stdin
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	fmt.Fprintln(os.Stdout, "ready")
	// 500 events/s: a hundred times a busy lobby, yet with the moments
	// between commits that a real kiosk always leaves (back-to-back
	// fsyncs left a cross-process copy none, and the backup test failed
	// at random on a loaded machine).
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		if _, err := s.RecordEvent(context.Background(), sampleEvent(i, time.Now()), nil); err != nil {
			return err
		}
	}
}

// child is a running child process of the test binary.
type child struct {
	cmd   *exec.Cmd
	out   *bufio.Scanner
	stdin io.WriteCloser
}

// startChild starts mode on dir; the process is killed at cleanup if the
// test did not stop it.
func startChild(t *testing.T, mode, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envChildDir+"="+dir, EnvKey+"="+hex.EncodeToString(testKey))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
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
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return &child{cmd: cmd, out: bufio.NewScanner(stdout), stdin: stdin}
}

// sampleEvent is a realistic check-in.
func sampleEvent(i int, now time.Time) Event {
	return Event{
		Kind:          []EventKind{KindIn, KindOut, KindSighting}[i%3],
		NIP:           validNIP(i % 5000),
		Time:          now,
		Zone:          "Asia/Jakarta",
		Monotonic:     time.Duration(i) * time.Millisecond,
		BootID:        "6c1f1b7e-36a4-4f7d-9d7e-0d2f7a1c9e11",
		ClockOffset:   -1500 * time.Millisecond,
		Distance:      0.31 + float64(i%7)/100,
		Margin:        0.12,
		Liveness:      "blink-ok",
		LivenessScore: 0.9,
	}
}

// fakeJPEG returns n bytes starting with a JPEG SOI marker and random
// content (incompressible, recognisable in a raw file).
func fakeJPEG(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0], b[1], b[2], b[3] = 0xFF, 0xD8, 0xFF, 0xE0
	return b
}
