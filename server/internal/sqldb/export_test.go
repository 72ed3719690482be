package sqldb

import (
	"context"
	"time"

	"github.com/hadir-id/hadir/server"
)

// GroupBatch is one kiosk batch for IngestGroup.
type GroupBatch struct {
	Device string
	Events []server.Event
}

// IngestGroup commits batches as the committer does when they are all
// waiting at once, and returns each one's answer.
func (db *DB) IngestGroup(ctx context.Context, now time.Time, batches ...GroupBatch) ([]server.IngestResult, []error) {
	group := make([]*ingestReq, len(batches))
	for i, b := range batches {
		group[i] = &ingestReq{ctx: ctx, device: b.Device, events: b.Events, now: now, done: make(chan struct{})}
	}
	db.commitGroup(group)
	res, errs := make([]server.IngestResult, len(group)), make([]error, len(group))
	for i, r := range group {
		res[i], errs[i] = r.res, r.err
	}
	return res, errs
}
