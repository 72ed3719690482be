package storage

import (
	"context"
	"errors"
	"testing"
)

func TestOutboxPagingAndAcknowledgement(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 25; i++ {
		e, err := s.RecordEvent(ctx, sampleEvent(i, c.Now()), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
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
