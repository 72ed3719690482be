package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestOutboxPagingAndAcknowledgement(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := context.Background()
	ids := recordEvents(t, s, c, 25)
	var seen []string
	var after uint64
	for pages := 0; ; pages++ {
		page, err := s.Outbox(ctx, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			if pages != 3 {
				t.Fatalf("%d pages, want 3", pages)
			}
			break
		}
		for _, e := range page {
			seen = append(seen, e.ID)
		}
		after = page[len(page)-1].Seq
	}
	if len(seen) != 25 || seen[0] != ids[0] || seen[24] != ids[24] {
		t.Fatalf("outbox order %v", seen)
	}

	if err := s.MarkSynced(ctx, ids[0], ids[1], ids[2]); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, ids[0]); err != nil {
		t.Fatalf("repeated ack: %v", err)
	}
	// An unknown ID fails the whole call: ids[3] stays pending.
	if err := s.MarkSynced(ctx, ids[3], "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack of unknown ID: %v", err)
	}
	if err := s.MarkRejected(ctx, ids[4], "NIP not in SIMPEG"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRejected(ctx, ids[5], " "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := s.MarkSynced(ctx, ids[4]); !errors.Is(err, ErrConflict) {
		t.Fatalf("ack of a rejected event: %v", err)
	}
	if n, _ := s.OutboxLen(ctx); n != 21 {
		t.Fatalf("outbox length %d, want 21", n)
	}
	first, _ := s.Outbox(ctx, 0, 1)
	if first[0].ID != ids[3] {
		t.Fatalf("outbox head %s, want %s", first[0].ID, ids[3])
	}
	e, _ := s.Event(ctx, ids[0])
	if e.Sync != SyncSynced || !e.SyncedAt.Equal(c.Now()) {
		t.Fatalf("synced event %+v", e)
	}
	r, _ := s.Event(ctx, ids[4])
	if r.Sync != SyncRejected || r.RejectReason != "NIP not in SIMPEG" {
		t.Fatalf("rejected event %+v", r)
	}
	// Sync state is outside the hash: the chain still verifies.
	if _, err := s.VerifyLedger(ctx); err != nil {
		t.Fatal(err)
	}
}

// The outbox count is kept with the outbox, survives a reopen, is rebuilt
// for a file written before it existed, and verify-ledger notices an
// outbox entry removed behind the store's back.
func TestOutboxLenCount(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	ids := recordEvents(t, s, c, 6)
	if err := s.MarkSynced(ctx, ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, ids[0]); err != nil { // a repeated ack
		t.Fatal(err)
	}
	if err := s.MarkRejected(ctx, ids[2], "unknown NIP"); err != nil {
		t.Fatal(err)
	}
	want := 3
	check := func(when string) {
		t.Helper()
		if n, err := s.OutboxLen(ctx); err != nil || n != want {
			t.Fatalf("%s: outbox length %d (%v), want %d", when, n, err, want)
		}
	}
	check("after acks")

	reopen := func(edit func(tx *bolt.Tx) error) {
		t.Helper()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(edit); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		var err error
		if s, err = Open(dir, testOptions(c)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
	}
	reopen(nil)
	check("after reopen")
	// A file from before the count: Open counts once.
	reopen(func(tx *bolt.Tx) error { return tx.Bucket(bktMeta).Delete(keyOutboxLen) })
	check("count rebuilt")
	if _, err := s.VerifyLedger(ctx); err != nil {
		t.Fatal(err)
	}
	// An entry deleted outside the store (hiding an event from the
	// server) no longer matches the count.
	reopen(func(tx *bolt.Tx) error { return tx.Bucket(bktOutbox).Delete(seqKey(4)) })
	if _, err := s.VerifyLedger(ctx); !errors.Is(err, ErrLedgerBroken) || !strings.Contains(err.Error(), "outbox holds 2 entries but its count says 3") {
		t.Fatalf("verify after an outbox entry vanished: %v", err)
	}
}
