package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RecentEvents returns the events recorded at or after since (store
// clock), oldest first. The kiosk loads the last day or two at start to
// apply its cooldown and to tell a person "late by 12 minutes" without
// scanning the whole ledger: it walks the ledger backwards and stops at
// the first older entry, so the cost follows the answer, not the file.
// limit bounds the result (0 means 10,000); purged events are skipped.
func (s *Store) RecentEvents(ctx context.Context, since time.Time, limit int) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 10000
	}
	cut := since.UnixNano()
	var out []Event
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktLedger).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			l, err := decodeLedger(v)
			if err != nil {
				return fmt.Errorf("%w: %s: ledger seq %x: %v", ErrCorrupt, s.path, k, err)
			}
			if l.RecordedAt < cut {
				break
			}
			if l.Purged {
				continue
			}
			e, err := s.getEvent(tx, l.ID)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	slices.Reverse(out)
	return out, err
}
