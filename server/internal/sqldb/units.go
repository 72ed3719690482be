package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

// unitSpan is one row of an employee's unit history: unit from from_ns
// until the next row (0: since before any event).
type unitSpan struct {
	unit string
	from int64
}

// unitHistory loads the unit history of nips, oldest span first.
func (db *DB) unitHistory(ctx context.Context, q querier, nips []string) (map[string][]unitSpan, error) {
	out := make(map[string][]unitSpan, len(nips))
	for start := 0; start < len(nips); start += 900 {
		part := nips[start:min(start+900, len(nips))]
		args := make([]any, len(part))
		for i, n := range part {
			args[i] = n
		}
		rows, err := q.QueryContext(ctx, db.q(`SELECT nip, unit, from_ns FROM employee_units WHERE nip IN (`+placeholders(len(part))+`) ORDER BY nip, from_ns`), args...)
		if err != nil {
			return nil, fmt.Errorf("read unit history: %w", err)
		}
		for rows.Next() {
			var nip string
			var s unitSpan
			if err := rows.Scan(&nip, &s.unit, &s.from); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read unit history: %w", err)
			}
			out[nip] = append(out[nip], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read unit history: %w", err)
		}
	}
	return out, nil
}

// unitAt is the unit of a history at t ("" when the NIP did not exist).
func unitAt(spans []unitSpan, t time.Time) string {
	unit, at := "", ns(t)
	for _, s := range spans {
		if s.from > at {
			break
		}
		unit = s.unit
	}
	return unit
}

// holdByUnit keeps aside events[idx] (not already held) whose NIP did not
// exist, or was not in one of units (empty: every unit), at the event's
// corrected time.
func (db *DB) holdByUnit(ctx context.Context, tx *sql.Tx, units []string, events []server.Event, idx []int) error {
	var nips []string
	seen := make(map[string]bool, len(idx))
	for _, i := range idx {
		if e := &events[i]; e.Held == "" && e.NIP != "" && !seen[e.NIP] {
			seen[e.NIP] = true
			nips = append(nips, e.NIP)
		}
	}
	if len(nips) == 0 {
		return nil
	}
	hist, err := db.unitHistory(ctx, tx, nips)
	if err != nil {
		return err
	}
	for _, i := range idx {
		e := &events[i]
		if e.Held != "" || e.NIP == "" {
			continue
		}
		at := e.CorrectedTime
		if at.IsZero() {
			at = e.Time
		}
		switch unit := unitAt(hist[e.NIP], at); {
		case unit == "":
			e.Held, e.HeldNote = api.HeldUnknownNIP, fmt.Sprintf("no employee %s on the roster at %s", e.NIP, at.Format(time.RFC3339))
		case len(units) > 0 && !slices.Contains(units, unit):
			e.Held, e.HeldNote = api.HeldOtherUnit, fmt.Sprintf("employee %s was in unit %s at %s, not one of the device's %v", e.NIP, unit, at.Format(time.RFC3339), units)
		}
	}
	return nil
}

// recordUnit appends to nip's unit history: from the beginning for a new
// employee (from = 0), from now on for a transfer.
func (db *DB) recordUnit(ctx context.Context, tx *sql.Tx, nip, unit string, from int64) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO employee_units (nip, unit, from_ns) VALUES (?, ?, ?)
		ON CONFLICT (nip, from_ns) DO UPDATE SET unit = excluded.unit`), nip, unit, from)
	if err != nil {
		return fmt.Errorf("record unit of %s: %w", nip, err)
	}
	return nil
}

// TransferEmployee implements server.Store: the employee moves to unit
// from now on (templates kept); kiosks of the old unit drop them at their
// next roster pull, kiosks of the new unit receive them.
func (db *DB) TransferEmployee(ctx context.Context, nip, unit string, now time.Time) (int64, string, error) {
	var rev int64
	var old string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if rev, err = db.nextRev(ctx, tx); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.q(`SELECT unit FROM employees WHERE nip = ? AND deleted = 0`), nip).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("employee %s: %w", nip, server.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read employee %s: %w", nip, err)
		}
		if old == unit {
			return fmt.Errorf("%w: employee %s is already in unit %s", server.ErrConflict, nip, unit)
		}
		_, err = tx.ExecContext(ctx, db.q(`UPDATE employees SET unit = ?, prev_unit = ?, rev = ?, updated_ns = ? WHERE nip = ?`),
			unit, old, rev, now.UnixNano(), nip)
		if err != nil {
			return fmt.Errorf("transfer employee %s: %w", nip, err)
		}
		return db.recordUnit(ctx, tx, nip, unit, now.UnixNano())
	})
	return rev, old, err
}

// ReviewHeld implements server.Store.
func (db *DB) ReviewHeld(ctx context.Context, device, id string, release bool, by string, now time.Time) (server.Event, error) {
	state := server.ReviewDismissed
	if release {
		state = server.ReviewReleased
	}
	var e server.Event
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scanEvent(tx.QueryRowContext(ctx, db.q(`SELECT `+eventCols+` FROM events WHERE device = ? AND id = ?`+db.d.ForUpdate), device, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("event %s of %q: %w", id, device, server.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read event %s of %q: %w", id, device, err)
		}
		if e.Held == "" {
			return fmt.Errorf("%w: event %s of %q is not kept aside", server.ErrConflict, id, device)
		}
		if e.Review != "" {
			return fmt.Errorf("%w: event %s of %q was already %s by %s", server.ErrConflict, id, device, e.Review, e.ReviewedBy)
		}
		e.Review, e.ReviewedBy, e.ReviewedAt = state, by, now.UTC()
		_, err = tx.ExecContext(ctx, db.q(`UPDATE events SET review = ?, reviewed_by = ?, reviewed_ns = ? WHERE device = ? AND id = ?`),
			state, by, now.UnixNano(), device, id)
		return err
	})
	return e, err
}
