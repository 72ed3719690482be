package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/server"
)

// Console sessions (server.ConsoleSessionStore): a row per logged-in
// browser, keyed by the hash of its cookie token, pointing at the API
// session the console acts in. Ending one revokes that API session in the
// same transaction, so no process can act in it afterwards.

// CreateConsoleSession implements server.ConsoleSessionStore.
func (db *DB) CreateConsoleSession(ctx context.Context, cs server.ConsoleSession) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO console_sessions (hash, user_id, sid, csrf, created_ns, used_ns) VALUES (?, ?, ?, ?, ?, ?)`),
		cs.Hash, cs.UserID, cs.SID, cs.CSRF, ns(cs.Created), ns(cs.LastUsed))
	if err != nil {
		return fmt.Errorf("store console session of user %d: %w", cs.UserID, err)
	}
	return nil
}

// ConsoleSession implements server.ConsoleSessionStore: one indexed join
// reads the session, checks its API session is live and reads the user as
// they are now (a role change or a disabled account applies at once).
func (db *DB) ConsoleSession(ctx context.Context, hash []byte) (server.ConsoleSession, server.User, error) {
	cs := server.ConsoleSession{Hash: hash}
	var created, used int64
	var units string
	var disabled int
	var u server.User
	var ucreated int64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT c.user_id, c.sid, c.csrf, c.created_ns, c.used_ns,
			u.id, u.name, u.role, u.units, u.pw_hash, u.created_ns, u.disabled
		FROM console_sessions c JOIN sessions s ON s.id = c.sid AND s.user_id = c.user_id
		JOIN users u ON u.id = c.user_id
		WHERE c.hash = ? AND s.revoked_ns = 0`), hash).
		Scan(&cs.UserID, &cs.SID, &cs.CSRF, &created, &used, &u.ID, &u.Name, &u.Role, &units, &u.PasswordHash, &ucreated, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return cs, u, fmt.Errorf("console session: %w", server.ErrNotFound)
	}
	if err != nil {
		return cs, u, fmt.Errorf("read console session: %w", err)
	}
	cs.Created, cs.LastUsed = fromNS(created), fromNS(used)
	u.Units, u.CreatedAt, u.Disabled = decodeUnits(units), fromNS(ucreated), disabled != 0
	return cs, u, nil
}

// TouchConsoleSession implements server.ConsoleSessionStore; the last use
// only moves forward (two processes may touch it in either order).
func (db *DB) TouchConsoleSession(ctx context.Context, hash []byte, now time.Time) error {
	_, err := db.w.ExecContext(ctx, db.q(`UPDATE console_sessions SET used_ns = ? WHERE hash = ? AND used_ns < ?`), ns(now), hash, ns(now))
	if err != nil {
		return fmt.Errorf("touch console session: %w", err)
	}
	return nil
}

// EndConsoleSession implements server.ConsoleSessionStore.
func (db *DB) EndConsoleSession(ctx context.Context, hash []byte, now time.Time) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`DELETE FROM console_sessions WHERE hash = ? RETURNING user_id, sid`), hash)
		if err != nil {
			return err
		}
		_, err = db.revokeEnded(ctx, tx, rows, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("end console session: %w", err)
	}
	return nil
}

// PruneConsoleSessions implements server.ConsoleSessionStore; limit
// bounds the work one call does (the rest waits for the next call).
func (db *DB) PruneConsoleSessions(ctx context.Context, idleBefore, createdBefore, now time.Time, limit int) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`DELETE FROM console_sessions WHERE hash IN (
			SELECT hash FROM console_sessions WHERE used_ns < ? OR created_ns < ? LIMIT ?) RETURNING user_id, sid`),
			ns(idleBefore), ns(createdBefore), limit)
		if err != nil {
			return err
		}
		n, err = db.revokeEnded(ctx, tx, rows, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune console sessions: %w", err)
	}
	return n, nil
}

// revokeEnded revokes the API session (and its refresh tokens) of
// every deleted console session in rows (user_id, sid).
func (db *DB) revokeEnded(ctx context.Context, tx *sql.Tx, rows *sql.Rows, now time.Time) (int, error) {
	type ended struct {
		user int64
		sid  string
	}
	var all []ended
	for rows.Next() {
		var e ended
		if err := rows.Scan(&e.user, &e.sid); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, e)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, e := range all {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE sessions SET revoked_ns = ? WHERE id = ? AND revoked_ns = 0`), ns(now), e.sid); err != nil {
			return 0, fmt.Errorf("revoke API session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND session = ?`), e.user, e.sid); err != nil {
			return 0, fmt.Errorf("revoke refresh tokens: %w", err)
		}
	}
	return len(all), nil
}

// EmployeeUnits returns the units that have employees, sorted: the
// console's unit pickers, which would otherwise read every employee (a
// 10,000-person regency: 50 ms per page) to learn forty names.
func (db *DB) EmployeeUnits(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT unit FROM employees WHERE deleted = 0 ORDER BY unit`)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}
