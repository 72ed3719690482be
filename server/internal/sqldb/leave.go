package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// dayNum stores a date as YYYYMMDD, so ranges compare as integers.
func dayNum(d attendance.Date) int { return d.Year*10000 + int(d.Month)*100 + d.Day }

func fromDayNum(n int) attendance.Date {
	return attendance.Date{Year: n / 10000, Month: time.Month(n / 100 % 100), Day: n % 100}
}

// auditTx writes a's entry in the transaction of the change it records.
func (db *DB) auditTx(ctx context.Context, tx *sql.Tx, a server.AuditEntry) error {
	if a.Time.IsZero() {
		a.Time = time.Now()
	}
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO audit (time_ns, actor, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?)`),
		ns(a.Time), a.Actor, a.Action, a.Target, a.Detail, a.Remote)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// ExceptionTypes implements server.Store: the defaults until first edited.
func (db *DB) ExceptionTypes(ctx context.Context) (attendance.TypeSet, error) {
	return db.exceptionTypes(ctx, db.r)
}

func (db *DB) exceptionTypes(ctx context.Context, q querier) (attendance.TypeSet, error) {
	var ts attendance.TypeSet
	if err := q.QueryRowContext(ctx, db.q(`SELECT ival FROM meta WHERE key = 'exception_types'`)).Scan(&ts.Version); err != nil {
		return ts, fmt.Errorf("read exception types version: %w", err)
	}
	if ts.Version == 0 {
		return attendance.DefaultTypes(), nil
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT code, name, effect, active FROM exception_types ORDER BY position`))
	if err != nil {
		return ts, fmt.Errorf("read exception types: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t attendance.ExceptionType
		var active int
		if err := rows.Scan(&t.Code, &t.Name, &t.Effect, &active); err != nil {
			return ts, fmt.Errorf("read exception types: %w", err)
		}
		t.Active = active == 1
		ts.Types = append(ts.Types, t)
	}
	return ts, rows.Err()
}

// PutExceptionTypes implements server.Store.
func (db *DB) PutExceptionTypes(ctx context.Context, ts attendance.TypeSet, a server.AuditEntry) (attendance.TypeSet, error) {
	var out attendance.TypeSet
	err := db.tx(ctx, func(tx *sql.Tx) error {
		cur, err := db.exceptionTypes(ctx, tx)
		if err != nil {
			return err
		}
		keep := ts.Types
		for _, old := range cur.Types {
			if _, err := ts.Lookup(old.Code); err == nil {
				continue
			}
			var used int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM exceptions WHERE type = ?`), old.Code).Scan(&used); err != nil {
				return fmt.Errorf("count exceptions of type %s: %w", old.Code, err)
			}
			if used > 0 { // past exceptions must stay readable
				old.Active = false
				keep = append(keep, old)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM exception_types`); err != nil {
			return fmt.Errorf("replace exception types: %w", err)
		}
		for i, t := range keep {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO exception_types (code, name, effect, active, position) VALUES (?, ?, ?, ?, ?)`),
				t.Code, t.Name, string(t.Effect), b2i(t.Active), i); err != nil {
				return fmt.Errorf("store exception type %s: %w", t.Code, err)
			}
		}
		out = attendance.TypeSet{Version: max(cur.Version, 1) + 1, Types: keep}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE meta SET ival = ? WHERE key = 'exception_types'`), out.Version); err != nil {
			return fmt.Errorf("bump exception types version: %w", err)
		}
		a.Detail = fmt.Sprintf("version=%d %s", out.Version, a.Detail)
		return db.auditTx(ctx, tx, a)
	})
	return out, err
}

const exceptionCols = `x.id, x.nip, x.unit, x.type, x.from_day, x.to_day, x.at_min, x.reason, x.doc_name, x.doc_type,
	x.doc_size, x.state, x.created_by, x.created_ns, x.decided_by, x.decided_ns, x.note, x.revoked_by, x.revoked_ns,
	x.types_version, COALESCE(p.name, '')`

const exceptionFrom = ` FROM exceptions x LEFT JOIN employees p ON p.nip = x.nip`

func scanException(sc interface{ Scan(...any) error }) (server.ExceptionRecord, error) {
	var x server.ExceptionRecord
	var from, to, at int
	var created, decided, revoked int64
	err := sc.Scan(&x.ID, &x.NIP, &x.Unit, &x.Type, &from, &to, &at, &x.Reason, &x.DocName, &x.DocType, &x.DocSize,
		&x.State, &x.CreatedBy, &created, &x.DecidedBy, &decided, &x.Note, &x.RevokedBy, &revoked, &x.TypesVer, &x.Name)
	if err != nil {
		return x, err
	}
	x.From, x.To = fromDayNum(from), fromDayNum(to)
	if at >= 0 {
		x.At = attendance.Clock(at).String()
	}
	x.CreatedAt, x.DecidedAt, x.RevokedAt = fromNS(created), fromNS(decided), fromNS(revoked)
	return x, nil
}

// lockPerson serialises writes about one employee across processes (the
// overlap check must see every committed exception of the person).
func (db *DB) lockPerson(ctx context.Context, tx *sql.Tx, nip string) error {
	var n string
	err := tx.QueryRowContext(ctx, db.q(`SELECT nip FROM employees WHERE nip = ? AND deleted = 0`+db.d.ForUpdate), nip).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("employee %s: %w", nip, server.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("lock employee %s: %w", nip, err)
	}
	return nil
}

// CreateException implements server.Store.
func (db *DB) CreateException(ctx context.Context, x server.ExceptionRecord, doc *server.Document, a server.AuditEntry) (server.ExceptionRecord, error) {
	if doc != nil {
		if err := db.needKey(); err != nil {
			return x, err
		}
	}
	at := -1
	if x.At != "" {
		c, err := attendance.ParseClock(x.At)
		if err != nil {
			return x, fmt.Errorf("%w: %w", server.ErrInvalid, err)
		}
		at = int(c)
	}
	x.State = server.StatePending
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockPerson(ctx, tx, x.NIP); err != nil {
			return err
		}
		var other string
		var of, ot int
		err := tx.QueryRowContext(ctx, db.q(`SELECT id, from_day, to_day FROM exceptions WHERE nip = ? AND state IN ('pending', 'approved')
			AND from_day <= ? AND to_day >= ? ORDER BY from_day LIMIT 1`), x.NIP, dayNum(x.To), dayNum(x.From)).Scan(&other, &of, &ot)
		switch {
		case err == nil:
			return fmt.Errorf("%w: %w: exception %s covers %s to %s", server.ErrConflict, server.ErrOverlap, other, fromDayNum(of), fromDayNum(ot))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("check overlap for %s: %w", x.NIP, err)
		}
		var sealed []byte
		if doc != nil {
			sealed = db.cipher.Seal(doc.Data, []byte("exception-doc:"+x.ID))
			x.DocName, x.DocType, x.DocSize = doc.Name, doc.Type, int64(len(doc.Data))
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO exceptions (id, nip, unit, type, from_day, to_day, at_min, reason, doc_name, doc_type,
			doc_size, doc, state, created_by, created_ns, types_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			x.ID, x.NIP, x.Unit, x.Type, dayNum(x.From), dayNum(x.To), at, x.Reason, x.DocName, x.DocType, x.DocSize, sealed,
			x.State, x.CreatedBy, ns(x.CreatedAt), x.TypesVer)
		if err != nil {
			return fmt.Errorf("store exception for %s: %w", x.NIP, err)
		}
		return db.auditTx(ctx, tx, a)
	})
	if err != nil {
		return server.ExceptionRecord{}, err
	}
	return db.Exception(ctx, x.ID)
}

// Exception implements server.Store.
func (db *DB) Exception(ctx context.Context, id string) (server.ExceptionRecord, error) {
	x, err := scanException(db.r.QueryRowContext(ctx, db.q(`SELECT `+exceptionCols+exceptionFrom+` WHERE x.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("exception %q: %w", id, server.ErrNotFound)
	}
	if err != nil {
		return x, fmt.Errorf("read exception %q: %w", id, err)
	}
	return x, nil
}

// ExceptionDocument implements server.Store.
func (db *DB) ExceptionDocument(ctx context.Context, id string) (server.Document, error) {
	if err := db.needKey(); err != nil {
		return server.Document{}, err
	}
	var d server.Document
	var sealed []byte
	err := db.r.QueryRowContext(ctx, db.q(`SELECT doc_name, doc_type, doc FROM exceptions WHERE id = ?`), id).Scan(&d.Name, &d.Type, &sealed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(sealed) == 0) {
		return d, fmt.Errorf("document of exception %q: %w", id, server.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read document of exception %q: %w", id, err)
	}
	if d.Data, err = db.cipher.Open(sealed, []byte("exception-doc:"+id)); err != nil {
		return d, fmt.Errorf("decrypt document of exception %q: %w", id, err)
	}
	return d, nil
}

// Exceptions implements server.Store.
func (db *DB) Exceptions(ctx context.Context, f server.ExceptionFilter) ([]server.ExceptionRecord, error) {
	var where []string
	var args []any
	if f.Units != nil {
		if len(f.Units) == 0 {
			return nil, nil
		}
		where = append(where, `x.unit IN (`+placeholders(len(f.Units))+`)`)
		for _, u := range f.Units {
			args = append(args, u)
		}
	}
	if f.NIP != "" {
		where, args = append(where, `x.nip = ?`), append(args, f.NIP)
	}
	if !f.From.IsZero() {
		where, args = append(where, `x.to_day >= ?`), append(args, dayNum(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `x.from_day <= ?`), append(args, dayNum(f.To))
	}
	if len(f.States) > 0 {
		where = append(where, `x.state IN (`+placeholders(len(f.States))+`)`)
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	q := `SELECT ` + exceptionCols + exceptionFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY x.from_day, x.nip, x.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(0, f.Offset))
	}
	return db.queryExceptions(ctx, q, args...)
}

func (db *DB) queryExceptions(ctx context.Context, q string, args ...any) ([]server.ExceptionRecord, error) {
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", err)
	}
	defer rows.Close()
	var out []server.ExceptionRecord
	for rows.Next() {
		x, err := scanException(rows)
		if err != nil {
			return nil, fmt.Errorf("list exceptions: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// decide moves a row of table from one state to another in one
// conditional UPDATE, so two decisions racing cannot both win and a
// creator can never decide their own request.
func (db *DB) decide(ctx context.Context, tx *sql.Tx, table, id, from, to string, d server.Decision, notCreator bool) error {
	var state, creator string
	err := tx.QueryRowContext(ctx, db.q(`SELECT state, created_by FROM `+table+` WHERE id = ?`+db.d.ForUpdate), id).Scan(&state, &creator)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %q: %w", strings.TrimSuffix(table, "s"), id, server.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read %s %q: %w", table, id, err)
	}
	if notCreator && creator == d.By {
		return fmt.Errorf("%w: %w: %s created %s", server.ErrConflict, server.ErrOwnRequest, creator, id)
	}
	if state != from {
		return fmt.Errorf("%w: %w: %s is %s", server.ErrConflict, server.ErrDecided, id, state)
	}
	set := `decided_by = ?, decided_ns = ?, note = ?`
	if to == server.StateRevoked {
		set = `revoked_by = ?, revoked_ns = ?, note = ?`
	}
	res, err := tx.ExecContext(ctx, db.q(`UPDATE `+table+` SET state = ?, `+set+` WHERE id = ? AND state = ?`),
		to, d.By, ns(d.At), d.Note, id, from)
	if err != nil {
		return fmt.Errorf("decide %s %q: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: %w: %s changed meanwhile", server.ErrConflict, server.ErrDecided, id)
	}
	return nil
}

func decisionState(approve bool) string {
	if approve {
		return server.StateApproved
	}
	return server.StateRejected
}

// DecideException implements server.Store.
func (db *DB) DecideException(ctx context.Context, id string, d server.Decision, a server.AuditEntry) (server.ExceptionRecord, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.decide(ctx, tx, "exceptions", id, server.StatePending, decisionState(d.Approve), d, true); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, a)
	})
	if err != nil {
		return server.ExceptionRecord{}, err
	}
	return db.Exception(ctx, id)
}

// RevokeException implements server.Store.
func (db *DB) RevokeException(ctx context.Context, id string, d server.Decision, a server.AuditEntry) (server.ExceptionRecord, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.decide(ctx, tx, "exceptions", id, server.StateApproved, server.StateRevoked, d, false); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, a)
	})
	if err != nil {
		return server.ExceptionRecord{}, err
	}
	return db.Exception(ctx, id)
}
