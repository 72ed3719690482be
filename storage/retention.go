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
	photoCut := now.Add(-s.opts.PhotoRetention).UnixNano()
	eventCut := now.Add(-s.opts.EventRetention).UnixNano()
	// Candidates are found in a read transaction, so a purge with nothing
	// to do costs no write (and no fsync); each write re-checks them.
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var ids []string
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bktPhotoAge).Cursor()
			for k, _ := c.First(); k != nil && len(ids) < s.opts.PurgeBatch; k, _ = c.Next() {
				if len(k) < 8 || int64(binary.BigEndian.Uint64(k)) >= photoCut {
					break
				}
				ids = append(ids, string(k[8:]))
			}
			return nil
		})
		if err == nil && len(ids) > 0 {
			err = s.update(func(tx *bolt.Tx) error {
				for _, id := range ids {
					if err := deletePhoto(tx, id); err != nil {
						return err
					}
				}
				return s.auditPurge(ctx, tx, len(ids), "photos")
			})
		}
		if err != nil {
			return rep, fmt.Errorf("purge photos: %w", err)
		}
		rep.Photos += len(ids)
		if len(ids) < s.opts.PurgeBatch {
			break
		}
	}
	var after uint64
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var seqs []uint64
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bktLedger).Cursor()
			k, v := c.Seek(seqKey(after + 1))
			for ; k != nil && len(seqs) < s.opts.PurgeBatch; k, v = c.Next() {
				after = binary.BigEndian.Uint64(k)
				if ok, err := s.purgeable(tx, v, eventCut); err != nil {
					return err
				} else if ok {
					seqs = append(seqs, after)
				}
			}
			done = k == nil
			return nil
		})
		n := 0
		if err == nil && len(seqs) > 0 {
			err = s.update(func(tx *bolt.Tx) error {
				n = 0
				ledger := tx.Bucket(bktLedger)
				for _, seq := range seqs {
					v := ledger.Get(seqKey(seq))
					if ok, err := s.purgeable(tx, v, eventCut); err != nil || !ok {
						if err != nil {
							return err
						}
						continue // changed since the scan
					}
					l, _ := decodeLedger(v)
					l.Purged = true
					if err := ledger.Put(seqKey(seq), l.encode()); err != nil {
						return err
					}
					if err := tx.Bucket(bktEvents).Delete([]byte(l.ID)); err != nil {
						return err
					}
					if err := deletePhoto(tx, l.ID); err != nil {
						return err
					}
					n++
				}
				return s.auditPurge(ctx, tx, n, "synced events")
			})
		}
		if err != nil {
			return rep, fmt.Errorf("purge events: %w", err)
		}
		rep.Events += n
	}
	return rep, nil
}

// purgeable reports whether the ledger row v is a live, synced event
// recorded before cut.
func (s *Store) purgeable(tx *bolt.Tx, v []byte, cut int64) (bool, error) {
	l, err := decodeLedger(v)
	if err != nil {
		return false, fmt.Errorf("%w: %s: ledger row of %q: %v", ErrCorrupt, s.path, l.ID, err)
	}
	if l.Purged || l.RecordedAt >= cut {
		return false, nil
	}
	e, err := s.getEvent(tx, l.ID)
	if err != nil {
		return false, err
	}
	return e.Sync == SyncSynced, nil
}

func (s *Store) auditPurge(ctx context.Context, tx *bolt.Tx, n int, what string) error {
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
		// A pass reads the whole ledger; its pages need not stay
		// resident until the next one.
		_ = s.ReleaseMemory()
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
