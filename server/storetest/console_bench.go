package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

// FillRegency fills st like the recap benchmark (issue 14): 10,000 people
// in 40 units (U00 of 4,000, U01-U15 of 250, U16-U39 of about 94), two
// events per person and working day of October 2026, 300 pending manual
// events and 600 exceptions. With year set, the eleven months before
// (November 2025 - September 2026) get the same daily events, so reads
// run over a year of rows (about 5.3 million events). It returns the
// number of events. The console's overhead benchmark uses it.
func FillRegency(tb testing.TB, st server.Store, year bool) int {
	n := fillRegency(tb, st)
	if year {
		loc, _ := time.LoadLocation("Asia/Jakarta")
		n += fillDays(tb, st.(bulkStore), time.Date(2025, 11, 1, 0, 0, 0, 0, loc), time.Date(2026, 10, 1, 0, 0, 0, 0, loc))
	}
	return n
}

// fillDays adds an in and an out per person and working day in [from, to)
// under ids of their own (Y...), on the kiosks' own sequences (Y kiosks).
func fillDays(tb testing.TB, bs bulkStore, from, to time.Time) int {
	ctx := context.Background()
	cols := []string{"id", "device", "seq", "kind", "nip", "time_ns", "zone", "monotonic_ns", "boot_id", "clock_offset_ns",
		"distance", "margin", "liveness", "liveness_score", "photo_id", "operator", "note", "recorded_ns", "prev_hash", "hash",
		"received_ns", "approval", "approved_by", "approved_ns", "corrected_ns"}
	rng := Seed(2025)
	hash := make([]byte, 32)
	var rows [][]any
	n := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		for i := range recapPeople {
			for _, at := range []time.Time{d.Add(7*time.Hour + time.Duration(rng.IntN(70))*time.Minute), d.Add(15*time.Hour + 40*time.Minute + time.Duration(rng.IntN(80))*time.Minute)} {
				kind := "in"
				if at.Hour() >= 12 {
					kind = "out"
				}
				rows = append(rows, []any{fmt.Sprintf("Y%08d", n), fmt.Sprintf("Y%02d", i%recapKiosks), int64(n), kind, NIP(i), at.UnixNano(), "Asia/Jakarta",
					int64(0), "boot", int64(0), 0.3, 0.1, "blink-ok", 0.9, "", "", "", at.UnixNano(), hash, hash, at.UnixNano(), "", "", int64(0), at.UnixNano()})
				n++
			}
		}
		if len(rows) >= 20_000 {
			if err := bs.BulkInsert(ctx, "events", cols, rows); err != nil {
				tb.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := bs.BulkInsert(ctx, "events", cols, rows); err != nil {
			tb.Fatal(err)
		}
	}
	if err := bs.Analyze(ctx); err != nil {
		tb.Fatal(err)
	}
	return n
}
