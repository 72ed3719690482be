package storage

import (
	"context"
	"testing"
	"time"
)

func TestRejectedEventsListedWithReason(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := context.Background()
	ids := recordEvents(t, s, c, 12)
	if err := s.MarkSynced(ctx, ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{ids[2]: "NIP not in SIMPEG", ids[7]: "device_mismatch", ids[11]: "bad kind"}
	for id, r := range reasons {
		if err := s.MarkRejected(ctx, id, r); err != nil {
			t.Fatal(err)
		}
	}
	// Synced events purged from the body must be skipped, not fail.
	c.Add(100 * 24 * time.Hour)
	if _, err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		after uint64
		limit int
		want  []string
	}{
		{"all", 0, 0, []string{ids[2], ids[7], ids[11]}},
		{"first page", 0, 2, []string{ids[2], ids[7]}},
		{"next page", 8, 2, []string{ids[11]}},
		{"past the end", 12, 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.RejectedEvents(ctx, tc.after, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d events, want %d", len(got), len(tc.want))
			}
			for i, e := range got {
				if e.ID != tc.want[i] || e.Sync != SyncRejected || e.RejectReason != reasons[e.ID] {
					t.Errorf("event %d = %s %s %q, want %s rejected %q", i, e.ID, e.Sync, e.RejectReason, tc.want[i], reasons[tc.want[i]])
				}
			}
		})
	}
	if n, _ := s.OutboxLen(ctx); n != 7 {
		t.Fatalf("outbox %d, want 7 (rejected ones left it)", n)
	}
}
