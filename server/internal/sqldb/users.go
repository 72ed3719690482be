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

// LoginLockedUntil implements server.Store.
func (db *DB) LoginLockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var until int64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT locked_until_ns FROM login_attempts WHERE key = ?`), key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && until <= now.UnixNano()) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read login attempts: %w", err)
	}
	return fromNS(until), nil
}

// LoginFailed implements server.Store. The counter row is created first
// and then locked, so concurrent failures in several processes all count.
func (db *DB) LoginFailed(ctx context.Context, key string, now time.Time, p server.LockoutPolicy) (time.Time, error) {
	var locked time.Time
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO login_attempts (key) VALUES (?) ON CONFLICT (key) DO NOTHING`), key); err != nil {
			return fmt.Errorf("count login failure: %w", err)
		}
		var failures int
		var window, until int64
		err := tx.QueryRowContext(ctx, db.q(`SELECT failures, window_ns, locked_until_ns FROM login_attempts WHERE key = ?`+db.d.ForUpdate), key).
			Scan(&failures, &window, &until)
		if err != nil {
			return fmt.Errorf("count login failure: %w", err)
		}
		if window == 0 || now.UnixNano()-window > int64(p.Window) {
			failures, window = 0, now.UnixNano()
		}
		failures++
		if failures >= p.Max {
			until = now.Add(p.LockFor).UnixNano()
			locked = fromNS(until)
			failures, window = 0, 0
		}
		_, err = tx.ExecContext(ctx, db.q(`UPDATE login_attempts SET failures = ?, window_ns = ?, locked_until_ns = ? WHERE key = ?`),
			failures, window, until, key)
		return err
	})
	return locked, err
}

// LoginSucceeded implements server.Store.
func (db *DB) LoginSucceeded(ctx context.Context, key string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM login_attempts WHERE key = ?`), key)
	return err
}

// CreateRefreshToken implements server.Store.
func (db *DB) CreateRefreshToken(ctx context.Context, hash []byte, userID int64, expires time.Time) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO refresh_tokens (hash, user_id, expires_ns, created_ns) VALUES (?, ?, ?, ?)`),
		hash, userID, ns(expires), time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("store refresh token: %w", err)
	}
	return nil
}

// errReuse marks a refresh token presented twice: the revocation of the
// user's tokens must be committed before the caller is refused.
var errReuse = errors.New("refresh token reused")

// RotateRefreshToken implements server.Store.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash, newHash []byte, now, expires time.Time) (int64, error) {
	var userID int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var exp, spent int64
		var revoked int
		err := tx.QueryRowContext(ctx, db.q(`SELECT user_id, expires_ns, spent_ns, revoked FROM refresh_tokens WHERE hash = ?`+db.d.ForUpdate), oldHash).
			Scan(&userID, &exp, &spent, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("refresh token: %w", server.ErrNotFound)
		case err != nil:
			return fmt.Errorf("read refresh token: %w", err)
		case revoked != 0 || exp <= now.UnixNano():
			return fmt.Errorf("refresh token expired or revoked: %w", server.ErrNotFound)
		case spent != 0:
			return errReuse
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET spent_ns = ? WHERE hash = ?`), now.UnixNano(), oldHash); err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO refresh_tokens (hash, user_id, expires_ns, created_ns) VALUES (?, ?, ?, ?)`),
			newHash, userID, ns(expires), now.UnixNano())
		return err
	})
	if errors.Is(err, errReuse) {
		// The transaction was rolled back by db.tx; revoke in a new one.
		if _, err := db.w.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?`), userID); err != nil {
			return 0, fmt.Errorf("revoke refresh tokens: %w", err)
		}
		return 0, fmt.Errorf("refresh token used twice, every session of the user revoked: %w", server.ErrNotFound)
	}
	return userID, err
}

// RevokeRefreshToken implements server.Store.
func (db *DB) RevokeRefreshToken(ctx context.Context, hash []byte, now time.Time) error {
	_, err := db.w.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET revoked = 1, spent_ns = ? WHERE hash = ?`), now.UnixNano(), hash)
	return err
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

// Stats implements server.Store.
func (db *DB) Stats(ctx context.Context) (server.Stats, error) {
	var s server.Stats
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM devices),
		(SELECT COUNT(*) FROM devices WHERE revoked_ns <> 0),
		(SELECT COUNT(*) FROM devices WHERE revoked_ns = 0 AND hb_clock_flag <> 0),
		(SELECT COALESCE(SUM(chain_breaks), 0) FROM devices),
		(SELECT COALESCE(SUM(hb_backlog), 0) FROM devices WHERE revoked_ns = 0),
		(SELECT COUNT(*) FROM events),
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
