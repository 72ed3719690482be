package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// RejectedEvents returns up to limit events the server refused
// (MarkRejected), with Seq > after, in recording order, each with its
// RejectReason; page with the last Seq returned. The admin screen lists
// them: they left the outbox so they are not retried blindly, and are
// never purged. It walks the ledger (rejections are rare and carry no
// index of their own), in one read transaction.
func (s *Store) RejectedEvents(ctx context.Context, after uint64, limit int) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	var out []Event
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktLedger).Cursor()
		n := 0
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			l, err := decodeLedger(v)
			if err != nil {
				return fmt.Errorf("%w: %s: ledger seq %x: %v", ErrCorrupt, s.path, k, err)
			}
			if l.Purged { // only synced events are purged
				continue
			}
			e, err := s.getEvent(tx, l.ID)
			if err != nil {
				return err
			}
			if e.Sync == SyncRejected {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}
