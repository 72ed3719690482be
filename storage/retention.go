package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PurgeReport counts what one Purge removed.
type PurgeReport struct {
	Photos int `json:"photos"` // evidence photos older than PhotoRetention
	Events int `json:"events"` // synced events older than EventRetention
}

// Purge applies the retention policy once: evidence photos stored more
// than Options.PhotoRetention ago and synced events recorded more than
// Options.EventRetention ago are deleted. Pending and rejected events are
// never purged. A purged event leaves its ledger row (hashes only), so
// the chain still verifies. Work is split into transactions of at most
// Options.PurgeBatch deletions so event recording is never held up long.
func (s *Store) Purge(ctx context.Context) (PurgeReport, error) {
	var rep PurgeReport
	now := s.opts.Now()
	photoCut := now.Add(-s.opts.PhotoRetention)
	eventCut := now.Add(-s.opts.EventRetention).UnixNano()
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		n := 0
		err := s.update(func(tx *bolt.Tx) error {
			c := tx.Bucket(bktPhotoAge).Cursor()
			var ids []string
			for k, _ := c.First(); k != nil && len(ids) < s.opts.PurgeBatch; k, _ = c.Next() {
				if len(k) < 8 || int64(binary.BigEndian.Uint64(k)) >= photoCut.UnixNano() {
					break
				}
				ids = append(ids, string(k[8:]))
			}
			for _, id := range ids {
				if err := deletePhoto(tx, id); err != nil {
					return err
				}
			}
			n = len(ids)
			return s.auditPurge(tx, ctx, n, "photos")
		})
		if err != nil {
			return rep, fmt.Errorf("purge photos: %w", err)
		}
		rep.Photos += n
		if n < s.opts.PurgeBatch {
			break
		}
	}
	var after uint64
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		n, last, done := 0, after, false
		err := s.update(func(tx *bolt.Tx) error {
			n, last, done = 0, after, false
			ledger := tx.Bucket(bktLedger)
			events := tx.Bucket(bktEvents)
			c := ledger.Cursor()
			type row struct {
				k []byte
				l ledgerEntry
			}
			var rows []row
			k, v := c.Seek(seqKey(after + 1))
			for ; k != nil && len(rows) < s.opts.PurgeBatch; k, v = c.Next() {
				last = binary.BigEndian.Uint64(k)
				l, err := decodeLedger(v)
				if err != nil {
					return fmt.Errorf("%w: %s: ledger seq %d: %v", ErrCorrupt, s.path, last, err)
				}
				if l.Purged || l.RecordedAt >= eventCut {
					continue
				}
				e, err := s.getEvent(tx, l.ID)
				if err != nil {
					return err
				}
				if e.Sync != SyncSynced {
					continue
				}
				rows = append(rows, row{append([]byte(nil), k...), l})
			}
			done = k == nil
			for _, r := range rows {
				r.l.Purged = true
				if err := ledger.Put(r.k, r.l.encode()); err != nil {
					return err
				}
				if err := events.Delete([]byte(r.l.ID)); err != nil {
					return err
				}
				if err := deletePhoto(tx, r.l.ID); err != nil {
					return err
				}
			}
			n = len(rows)
			return s.auditPurge(tx, ctx, n, "synced events")
		})
		if err != nil {
			return rep, fmt.Errorf("purge events: %w", err)
		}
		rep.Events += n
		after = last
		if done {
			break
		}
	}
	return rep, nil
}

func (s *Store) auditPurge(tx *bolt.Tx, ctx context.Context, n int, what string) error {
	if n == 0 {
		return nil
	}
	return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionPurge, Detail: fmt.Sprintf("%d %s past retention", n, what)})
}

// Run purges at start and then every Options.PurgeInterval until ctx is
// done (it then returns nil) or the store is closed (ErrClosed). The
// kiosk runs it in a goroutine it owns and stops it by cancelling ctx
// before Close. Other purge errors (e.g. storage full) are passed to
// report, when non-nil, and retried at the next tick.
func (s *Store) Run(ctx context.Context, report func(PurgeReport, error)) error {
	t := time.NewTicker(s.opts.PurgeInterval)
	defer t.Stop()
	for {
		rep, err := s.Purge(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrClosed):
			return err
		}
		if report != nil {
			report(rep, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
