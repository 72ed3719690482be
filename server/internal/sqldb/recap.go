package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// scopeCond restricts employees p to scope.
func scopeCond(scope server.RecapScope) (string, []any) {
	cond, args := unitCond(scope)
	if scope.NIPFrom != "" {
		cond += ` AND p.nip >= ?`
		args = append(args, scope.NIPFrom)
	}
	if scope.NIPTo != "" {
		cond += ` AND p.nip < ?`
		args = append(args, scope.NIPTo)
	}
	return cond, args
}

func unitCond(scope server.RecapScope) (string, []any) {
	switch {
	case len(scope.NIPs) > 0:
		args := make([]any, len(scope.NIPs))
		for i, n := range scope.NIPs {
			args[i] = n
		}
		return ` AND p.nip IN (` + placeholders(len(scope.NIPs)) + `)`, args
	case scope.Unit != "":
		return ` AND p.unit = ?`, []any{scope.Unit}
	}
	return "", nil
}

// RecapPeople implements server.Store.
func (db *DB) RecapPeople(ctx context.Context, scope server.RecapScope) ([]server.RecapPerson, error) {
	cond, args := scopeCond(scope)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT p.nip, p.name, p.unit, p.status, COALESCE(s.from_day, 0), COALESCE(s.to_day, 0)
		FROM employees p LEFT JOIN employee_service s ON s.nip = p.nip WHERE p.deleted = 0`+cond+` ORDER BY p.unit, p.nip`), args...)
	if err != nil {
		return nil, fmt.Errorf("list recap people: %w", err)
	}
	defer rows.Close()
	var out []server.RecapPerson
	for rows.Next() {
		var p server.RecapPerson
		var from, to int
		if err := rows.Scan(&p.NIP, &p.Name, &p.Unit, &p.Status, &from, &to); err != nil {
			return nil, fmt.Errorf("list recap people: %w", err)
		}
		if from > 0 {
			p.ServiceFrom = fromDayNum(from)
		}
		if to > 0 && to < 99991231 {
			p.ServiceTo = fromDayNum(to)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// readTx runs fn in a read-only transaction. On PostgreSQL it forces
// custom plans: the statement cache would otherwise settle on a generic
// plan that, not knowing the unit, walks the time index across all units.
func (db *DB) readTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin %s read: %w", db.d.Name, err)
	}
	defer tx.Rollback()
	if db.d.Dollar {
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return fmt.Errorf("set plan cache mode: %w", err)
		}
	}
	return fn(tx)
}

// recapKinds are the event kinds the day rule reads.
const recapKinds = `('in', 'out', 'manual')`

// RecapEvents implements server.Store: the one place the recap reads
// events. It selects (nip, kind, corrected time, approval) only, walking
// each person of the scope in NIP order through events_nip_time_kind
// (covering), so the rows arrive sorted without a sort step (CROSS JOIN
// fixes SQLite's join order; PostgreSQL plans it per call, see readTx).
// Times are the server-corrected ones (the kiosk's clock plus the offset
// it measured), and kept-aside events count only once HR released them.
func (db *DB) RecapEvents(ctx context.Context, scope server.RecapScope, from, to time.Time, fn func(server.RecapEvent) error) error {
	cond, sargs := scopeCond(scope)
	corr, err := db.recapCorrections(ctx, cond, sargs, from, to)
	if err != nil {
		return err
	}
	args := append(append([]any{}, sargs...), ns(from), ns(to))
	return db.readTx(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, db.q(`SELECT e.nip, e.kind, e.corrected_ns, e.approval FROM employees p CROSS JOIN events e
			WHERE e.nip = p.nip AND p.deleted = 0`+cond+` AND e.corrected_ns >= ? AND e.corrected_ns < ? AND e.kind IN `+recapKinds+`
			AND (e.held = '' OR e.review = 'released')
			ORDER BY p.nip, e.corrected_ns`), args...)
		if err != nil {
			return fmt.Errorf("read recap events: %w", err)
		}
		defer rows.Close()
		var ev server.RecapEvent
		var t int64
		var nip, kind, approval sql.RawBytes // no allocation per row
		for rows.Next() {
			if err := rows.Scan(&nip, &kind, &t, &approval); err != nil {
				return fmt.Errorf("read recap events: %w", err)
			}
			if string(nip) != ev.NIP {
				ev.NIP = string(nip)
			}
			ev.Kind = eventKind(kind)
			ev.Time, ev.Approved = time.Unix(0, t), string(approval) == server.ApprovalApproved
			// Approved corrections merge in (nip, time) order.
			for len(corr) > 0 && cmpRecap(corr[0], ev) < 0 {
				if err := fn(corr[0]); err != nil {
					return err
				}
				corr = corr[1:]
			}
			if err := fn(ev); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read recap events: %w", err)
		}
		for _, c := range corr {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// eventKind returns the constant for a kind read as bytes.
func eventKind(b []byte) string {
	switch string(b) {
	case server.KindIn:
		return server.KindIn
	case server.KindOut:
		return server.KindOut
	case server.KindManual:
		return server.KindManual
	}
	return string(b)
}

func cmpRecap(a, b server.RecapEvent) int {
	return cmp.Or(cmp.Compare(a.NIP, b.NIP), a.Time.Compare(b.Time))
}

// recapCorrections returns the approved corrections of the scope as
// approved events of their kind, sorted like RecapEvents.
func (db *DB) recapCorrections(ctx context.Context, cond string, sargs []any, from, to time.Time) ([]server.RecapEvent, error) {
	args := append([]any{ns(from), ns(to)}, sargs...)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT c.nip, c.kind, c.time_ns FROM corrections c JOIN employees p ON p.nip = c.nip
		WHERE c.state = 'approved' AND c.time_ns >= ? AND c.time_ns < ? AND p.deleted = 0`+cond), args...)
	if err != nil {
		return nil, fmt.Errorf("read recap corrections: %w", err)
	}
	defer rows.Close()
	var out []server.RecapEvent
	for rows.Next() {
		var c server.RecapEvent
		var t int64
		if err := rows.Scan(&c.NIP, &c.Kind, &t); err != nil {
			return nil, fmt.Errorf("read recap corrections: %w", err)
		}
		c.Time, c.Approved = time.Unix(0, t), true
		out = append(out, c)
	}
	slices.SortFunc(out, cmpRecap)
	return out, rows.Err()
}

// RecapExceptions implements server.Store.
func (db *DB) RecapExceptions(ctx context.Context, scope server.RecapScope, from, to attendance.Date) ([]server.ExceptionRecord, error) {
	cond, sargs := scopeCond(scope)
	args := append([]any{dayNum(to), dayNum(from)}, sargs...)
	return db.queryExceptions(ctx, `SELECT `+exceptionCols+` FROM exceptions x JOIN employees p ON p.nip = x.nip
		WHERE x.state = 'approved' AND x.from_day <= ? AND x.to_day >= ?`+cond+` ORDER BY x.nip, x.from_day`, args...)
}
