package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestCrashKeepsEveryAcknowledgedEvent is the acceptance test: a child
// process records events as fast as it can and prints each acknowledged
// ID; the parent SIGKILLs it after a random number of acknowledgements
// (so the kill lands at a random point of a later write or fsync). After
// every round the store must open, the hash chain must verify, and every
// acknowledged ID must be present exactly once. HADIR_CRASH_ROUNDS
// raises the number of rounds for a soak run.
func TestCrashKeepsEveryAcknowledgedEvent(t *testing.T) {
	rounds := 50
	if v := os.Getenv("HADIR_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("HADIR_CRASH_ROUNDS=%q", v)
		}
		rounds = n
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	s, err := Open(dir, testOptions(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	acked := map[string]int{}
	for round := 0; round < rounds; round++ {
		target := 1 + rng.IntN(40)
		c := startChild(t, "crash", dir)
		n := 0
		for n < target && c.out.Scan() {
			acked[c.out.Text()]++
			n++
		}
		if n < target {
			t.Fatalf("round %d: child stopped after %d acknowledgements: %v", round, n, c.out.Err())
		}
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for c.out.Scan() { // acknowledgements already in the pipe count too
			acked[c.out.Text()]++
		}
		_ = c.cmd.Wait()
		if err := checkAcked(dir, acked); err != nil {
			t.Fatalf("round %d (seed %d): %v", round, seed, err)
		}
	}
	t.Logf("%d rounds, %d acknowledged events survived", rounds, len(acked))
}

// checkAcked opens the store and checks the chain and that every
// acknowledged ID appears exactly once in the ledger and the outbox.
func checkAcked(dir string, acked map[string]int) error {
	for id, n := range acked {
		if n != 1 {
			return fmt.Errorf("child acknowledged %s %d times", id, n)
		}
	}
	s, err := Open(dir, testOptions(newClock()))
	if err != nil {
		return fmt.Errorf("reopen after kill: %w", err)
	}
	defer s.Close()
	ctx := context.Background()
	if rep, err := s.VerifyLedger(ctx); err != nil {
		return fmt.Errorf("ledger after kill: %w (%+v)", err, rep.Broken)
	}
	inLedger, err := countIDs(func(after uint64) ([]Event, error) { return s.Events(ctx, after, 1000) })
	if err != nil {
		return err
	}
	inOutbox, err := countIDs(func(after uint64) ([]Event, error) { return s.Outbox(ctx, after, 1000) })
	if err != nil {
		return err
	}
	for id := range acked {
		if inLedger[id] != 1 || inOutbox[id] != 1 {
			return fmt.Errorf("acknowledged event %s appears %d times in the ledger, %d in the outbox", id, inLedger[id], inOutbox[id])
		}
	}
	return nil
}

func countIDs(page func(after uint64) ([]Event, error)) (map[string]int, error) {
	out := map[string]int{}
	var after uint64
	for {
		evs, err := page(after)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return out, nil
		}
		for _, e := range evs {
			out[e.ID]++
		}
		after = evs[len(evs)-1].Seq
	}
}
