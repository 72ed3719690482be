package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/server"
)

const userCols = `id, name, role, units, pw_hash, created_ns, disabled`

func scanUser(sc interface{ Scan(...any) error }) (server.User, error) {
	var u server.User
	var units string
	var created int64
	var disabled int
	if err := sc.Scan(&u.ID, &u.Name, &u.Role, &units, &u.PasswordHash, &created, &disabled); err != nil {
		return u, err
	}
	u.Units, u.CreatedAt, u.Disabled = decodeUnits(units), fromNS(created), disabled != 0
	return u, nil
}

// CreateUser implements server.Store.
func (db *DB) CreateUser(ctx context.Context, u server.User) (server.User, error) {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := db.w.QueryRowContext(ctx, db.q(`INSERT INTO users (name, role, units, pw_hash, created_ns, disabled) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		u.Name, string(u.Role), encodeUnits(u.Units), u.PasswordHash, ns(u.CreatedAt), b2i(u.Disabled)).Scan(&u.ID)
	if err != nil {
		if db.d.IsUnique(err) {
			return u, fmt.Errorf("%w: user %q exists", server.ErrConflict, u.Name)
		}
		return u, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	if u.Units == nil {
		u.Units = []string{}
	}
	return u, nil
}

func (db *DB) user(ctx context.Context, cond string, arg any) (server.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userCols+` FROM users WHERE `+cond), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %v: %w", arg, server.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("read user %v: %w", arg, err)
	}
	return u, nil
}

// UserByName implements server.Store.
func (db *DB) UserByName(ctx context.Context, name string) (server.User, error) {
	return db.user(ctx, `name = ?`, name)
}

// UserByID implements server.Store.
func (db *DB) UserByID(ctx context.Context, id int64) (server.User, error) {
	return db.user(ctx, `id = ?`, id)
}

// Users implements server.Store.
func (db *DB) Users(ctx context.Context) ([]server.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []server.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Audit implements server.Store.
func (db *DB) Audit(ctx context.Context, e server.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO audit (time_ns, actor, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?)`),
		ns(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.Remote)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog implements server.Store.
func (db *DB) AuditLog(ctx context.Context, after int64, limit int) ([]server.AuditEntry, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, time_ns, actor, action, target, detail, remote FROM audit WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []server.AuditEntry
	for rows.Next() {
		var e server.AuditEntry
		var t int64
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Remote); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.Time = fromNS(t)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Stats implements server.Store. It runs on every scrape, so nothing in
// it may grow with the events table: the event count is the dialect's
// estimate and pending approvals come from a partial index; the other
// tables are small (devices, the roster).
func (db *DB) Stats(ctx context.Context) (server.Stats, error) {
	var s server.Stats
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM devices),
		(SELECT COUNT(*) FROM devices WHERE revoked_ns <> 0),
		(SELECT COUNT(*) FROM devices WHERE revoked_ns = 0 AND hb_clock_flag <> 0),
		(SELECT COALESCE(SUM(chain_breaks), 0) FROM devices),
		(SELECT COALESCE(SUM(hb_backlog), 0) FROM devices WHERE revoked_ns = 0),
		(`+db.d.EstimateEvents+`),
		(SELECT COUNT(*) FROM events WHERE approval = 'pending'),
		(SELECT COUNT(*) FROM employees WHERE deleted = 0),
		(SELECT COUNT(*) FROM templates),
		(SELECT ival FROM meta WHERE key = 'rev')`).
		Scan(&s.Devices, &s.DevicesRevoked, &s.ClockFlagged, &s.ChainBreaks, &s.Backlog, &s.Events,
			&s.PendingApprovals, &s.Employees, &s.Templates, &s.Revision)
	if err != nil {
		return s, fmt.Errorf("read stats: %w", err)
	}
	return s, nil
}
