package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Outbox returns up to limit events still waiting for the server, with
// Seq > after, in recording order. The sync worker pages through it
// (passing the last Seq it got) instead of loading a long offline
// backlog at once, and removes entries only after the server's
// acknowledgement (MarkSynced / MarkRejected).
func (s *Store) Outbox(ctx context.Context, after uint64, limit int) ([]Event, error) {
	return s.scanBySeq(ctx, bktOutbox, after, limit)
}

// OutboxLen counts the events waiting for the server (shown on the
// kiosk's status line).
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = int(outboxLen(tx))
		return nil
	})
	return n, err
}

func outboxLen(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bktMeta).Get(keyOutboxLen)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// addOutbox adds (delta 1) or removes (delta -1) the outbox entry of the
// event with this sequence number and keeps the count with it.
func addOutbox(tx *bolt.Tx, seq uint64, id string, delta int) error {
	b := tx.Bucket(bktOutbox)
	b.FillPercent = appendFill // keys only grow
	var err error
	if delta > 0 {
		err = b.Put(seqKey(seq), []byte(id))
	} else if b.Get(seqKey(seq)) != nil {
		err = b.Delete(seqKey(seq))
	} else {
		return nil
	}
	if err != nil {
		return err
	}
	n := outboxLen(tx)
	if delta < 0 && n == 0 {
		return nil
	}
	return tx.Bucket(bktMeta).Put(keyOutboxLen, binary.BigEndian.AppendUint64(nil, uint64(int64(n)+int64(delta))))
}

// countOutbox stores the outbox count when a file from an earlier version
// has none (once; the next opens find it).
func (s *Store) countOutbox() error {
	var missing bool
	if err := s.view(func(tx *bolt.Tx) error {
		missing = tx.Bucket(bktMeta).Get(keyOutboxLen) == nil
		return nil
	}); err != nil || !missing {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		n := tx.Bucket(bktOutbox).Stats().KeyN
		return tx.Bucket(bktMeta).Put(keyOutboxLen, binary.BigEndian.AppendUint64(nil, uint64(n)))
	})
}

// MarkSynced records the server's acknowledgement of these events and
// removes them from the outbox, in one transaction. Acknowledging an
// already synced event again is a no-op (acks can be repeated after a
// lost response); an unknown ID is ErrNotFound and nothing changes.
func (s *Store) MarkSynced(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	return s.update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			if err := s.setSync(tx, id, SyncSynced, "", now); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkRejected records that the server refused an event (with its
// reason) and removes it from the outbox. The event stays, is never
// purged, and can be reviewed by an operator.
func (s *Store) MarkRejected(ctx context.Context, id, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fmt.Errorf("%w: rejecting event %s without a reason", ErrInvalid, id)
	}
	if len(reason) > maxTextLen {
		reason = reason[:maxTextLen]
	}
	now := s.opts.Now().UTC()
	return s.update(func(tx *bolt.Tx) error { return s.setSync(tx, id, SyncRejected, reason, now) })
}

func (s *Store) setSync(tx *bolt.Tx, id string, state SyncState, reason string, now time.Time) error {
	e, err := s.getEvent(tx, id)
	if err != nil {
		return err
	}
	if e.Sync == state && state == SyncSynced {
		return nil
	}
	if e.Sync != SyncPending {
		return fmt.Errorf("%w: event %s is already %s", ErrConflict, id, e.Sync)
	}
	e.Sync, e.RejectReason = state, reason
	e.SyncedAt = now
	if err := tx.Bucket(bktEvents).Put([]byte(id), encodeEvent(&e)); err != nil {
		return err
	}
	return addOutbox(tx, e.Seq, id, -1)
}
