package kiosk

import (
	"context"
	"slices"

	"github.com/hadir-id/hadir/storage"
)

// ReadAudit pages through the audit log and returns the newest keep
// entries, newest first.
func ReadAudit(ctx context.Context, st *storage.Store, keep int) ([]storage.Audit, error) {
	var out []storage.Audit
	var after uint64
	for {
		page, err := st.AuditLog(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(out) > keep {
			out = out[len(out)-keep:]
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Seq
	}
	slices.Reverse(out)
	return out, nil
}
