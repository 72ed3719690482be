package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hadir-id/hadir/server"
)

const correctionCols = `c.id, c.nip, c.unit, c.kind, c.time_ns, c.reason, c.state, c.created_by, c.created_ns,
	c.decided_by, c.decided_ns, c.note, COALESCE(p.name, '')`

const correctionFrom = ` FROM corrections c LEFT JOIN employees p ON p.nip = c.nip`

func scanCorrection(sc interface{ Scan(...any) error }) (server.Correction, error) {
	var c server.Correction
	var t, created, decided int64
	err := sc.Scan(&c.ID, &c.NIP, &c.Unit, &c.Kind, &t, &c.Reason, &c.State, &c.CreatedBy, &created, &c.DecidedBy, &decided, &c.Note, &c.Name)
	c.Time, c.CreatedAt, c.DecidedAt = fromNS(t), fromNS(created), fromNS(decided)
	return c, err
}

// CreateCorrection implements server.Store.
func (db *DB) CreateCorrection(ctx context.Context, c server.Correction, a server.AuditEntry) (server.Correction, error) {
	c.State = server.StatePending
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockPerson(ctx, tx, c.NIP); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO corrections (id, nip, unit, kind, time_ns, reason, state, created_by, created_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.NIP, c.Unit, c.Kind, ns(c.Time), c.Reason, c.State, c.CreatedBy, ns(c.CreatedAt))
		if err != nil {
			return fmt.Errorf("store correction for %s: %w", c.NIP, err)
		}
		return db.auditTx(ctx, tx, a)
	})
	if err != nil {
		return server.Correction{}, err
	}
	return db.Correction(ctx, c.ID)
}

// Correction implements server.Store.
func (db *DB) Correction(ctx context.Context, id string) (server.Correction, error) {
	c, err := scanCorrection(db.r.QueryRowContext(ctx, db.q(`SELECT `+correctionCols+correctionFrom+` WHERE c.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("correction %q: %w", id, server.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read correction %q: %w", id, err)
	}
	return c, nil
}

// DecideCorrection implements server.Store.
func (db *DB) DecideCorrection(ctx context.Context, id string, d server.Decision, a server.AuditEntry) (server.Correction, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.decide(ctx, tx, "corrections", id, server.StatePending, decisionState(d.Approve), d, true); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, a)
	})
	if err != nil {
		return server.Correction{}, err
	}
	return db.Correction(ctx, id)
}

// DecideManualEvent implements server.Store: only a pending manual event
// changes, once (issue 13 #12: a decision cannot be flipped).
func (db *DB) DecideManualEvent(ctx context.Context, device, id string, d server.Decision, a server.AuditEntry) (server.Event, error) {
	var e server.Event
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scanEvent(tx.QueryRowContext(ctx, db.q(`SELECT `+eventCols+` FROM events WHERE device = ? AND id = ?`+db.d.ForUpdate), device, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("event %q of device %q: %w", id, device, server.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read event %q: %w", id, err)
		}
		if e.Kind != server.KindManual {
			return fmt.Errorf("%w: event %q is %q, only manual events are approved", server.ErrConflict, id, e.Kind)
		}
		if e.Approval != server.ApprovalPending {
			return fmt.Errorf("%w: %w: event %s is %s", server.ErrConflict, server.ErrDecided, id, e.Approval)
		}
		e.Approval, e.ApprovedBy, e.ApprovedAt = decisionState(d.Approve), d.By, d.At.UTC()
		res, err := tx.ExecContext(ctx, db.q(`UPDATE events SET approval = ?, approved_by = ?, approved_ns = ? WHERE device = ? AND id = ? AND approval = ?`),
			e.Approval, d.By, ns(d.At), device, id, server.ApprovalPending)
		if err != nil {
			return fmt.Errorf("decide event %q: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: %w: event %s changed meanwhile", server.ErrConflict, server.ErrDecided, id)
		}
		return db.auditTx(ctx, tx, a)
	})
	return e, err
}

// Approvals implements server.Store: each source is read newest first
// through its own (state, time) index, at most Limit rows each, and the
// three are merged.
func (db *DB) Approvals(ctx context.Context, f server.ApprovalFilter) ([]server.ApprovalItem, error) {
	if f.Units != nil && len(f.Units) == 0 {
		return nil, nil
	}
	want := func(k string) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) }
	var items []server.ApprovalItem
	// page bounds: [From, To) and strictly before the cursor.
	bound := func(col, unitCol string) (string, []any) {
		conds := []string{col + ` >= ?`, col + ` < ?`}
		args := []any{ns(f.From), ns(f.To)}
		if !f.BeforeTime.IsZero() {
			conds = append(conds, `(`+col+` < ? OR (`+col+` = ? AND id < ?))`)
			args = append(args, ns(f.BeforeTime), ns(f.BeforeTime), f.BeforeID)
		}
		if f.Units != nil {
			conds = append(conds, unitCol+` IN (`+placeholders(len(f.Units))+`)`)
			for _, u := range f.Units {
				args = append(args, u)
			}
		}
		return strings.Join(conds, ` AND `), args
	}
	lim := fmt.Sprintf(` LIMIT %d`, f.Limit)
	if want(server.ItemException) {
		cond, args := bound(`x.created_ns`, `x.unit`)
		cond = strings.ReplaceAll(cond, ` id <`, ` x.id <`)
		if f.State != "" {
			cond, args = `x.state = ? AND `+cond, append([]any{f.State}, args...)
		}
		xs, err := db.queryExceptions(ctx, `SELECT `+exceptionCols+exceptionFrom+` WHERE `+cond+` ORDER BY x.created_ns DESC, x.id DESC`+lim, args...)
		if err != nil {
			return nil, err
		}
		for i := range xs {
			x := &xs[i]
			items = append(items, server.ApprovalItem{Kind: server.ItemException, ID: x.ID, NIP: x.NIP, Unit: x.Unit, Time: x.CreatedAt, State: x.State, Exception: x})
		}
	}
	if want(server.ItemCorrection) {
		cond, args := bound(`c.created_ns`, `c.unit`)
		cond = strings.ReplaceAll(cond, ` id <`, ` c.id <`)
		if f.State != "" {
			cond, args = `c.state = ? AND `+cond, append([]any{f.State}, args...)
		}
		rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+correctionCols+correctionFrom+` WHERE `+cond+` ORDER BY c.created_ns DESC, c.id DESC`+lim), args...)
		if err != nil {
			return nil, fmt.Errorf("list corrections: %w", err)
		}
		for rows.Next() {
			c, err := scanCorrection(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("list corrections: %w", err)
			}
			items = append(items, server.ApprovalItem{Kind: server.ItemCorrection, ID: c.ID, NIP: c.NIP, Unit: c.Unit, Time: c.CreatedAt, State: c.State, Correction: &c})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("list corrections: %w", err)
		}
	}
	if want(server.ItemManual) && f.State != server.StateRevoked {
		if err := db.manualItems(ctx, f, bound, lim, &items); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(items, func(a, b server.ApprovalItem) int {
		return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(b.ID, a.ID))
	})
	if len(items) > f.Limit {
		items = items[:f.Limit]
	}
	return items, nil
}

// manualItems reads manual events for the queue through the partial
// index recap_events_decisions (approval <> ”), never the month's events.
func (db *DB) manualItems(ctx context.Context, f server.ApprovalFilter, bound func(col, unitCol string) (string, []any), lim string, items *[]server.ApprovalItem) error {
	cond, args := bound(`e.time_ns`, `p.unit`)
	cond = strings.ReplaceAll(cond, ` id <`, ` e.id <`)
	cond = `e.approval <> '' AND e.kind = 'manual' AND ` + cond
	if f.State != "" {
		cond, args = `e.approval = ? AND `+cond, append([]any{f.State}, args...)
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+prefixed("e.", eventCols)+`, p.unit FROM events e JOIN employees p ON p.nip = e.nip
		WHERE `+cond+` ORDER BY e.time_ns DESC, e.id DESC`+lim), args...)
	if err != nil {
		return fmt.Errorf("list manual events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unit string
		e, err := scanEventUnit(rows, &unit)
		if err != nil {
			return fmt.Errorf("list manual events: %w", err)
		}
		*items = append(*items, server.ApprovalItem{Kind: server.ItemManual, ID: e.ID, NIP: e.NIP, Unit: unit, Time: e.Time, State: e.Approval, Event: &e})
	}
	return rows.Err()
}

// scanEventUnit scans eventCols plus one trailing unit column.
func scanEventUnit(rows *sql.Rows, unit *string) (server.Event, error) {
	return scanEvent(scanPlus{rows, unit})
}

type scanPlus struct {
	rows  *sql.Rows
	extra *string
}

func (s scanPlus) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra)...) }
