package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/server"
)

// CreateRefreshToken implements server.Store: a login starts a session
// (the family of this token and its successors).
func (db *DB) CreateRefreshToken(ctx context.Context, hash []byte, userID int64, session string, expires time.Time) error {
	now := time.Now().UnixNano()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO sessions (id, user_id, created_ns) VALUES (?, ?, ?)`), session, userID, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO refresh_tokens (hash, user_id, expires_ns, created_ns, session) VALUES (?, ?, ?, ?, ?)`),
			hash, userID, ns(expires), now, session)
		return err
	})
	if err != nil {
		return fmt.Errorf("store refresh token of user %d: %w", userID, err)
	}
	return nil
}

// errReuse marks a refresh token presented twice: the revocation of the
// user's tokens must be committed before the caller is refused.
var errReuse = errors.New("refresh token reused")

// RotateRefreshToken implements server.Store.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash, newHash []byte, now, expires time.Time) (int64, string, error) {
	var userID int64
	var session string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var exp, spent int64
		var revoked int
		err := tx.QueryRowContext(ctx, db.q(`SELECT user_id, expires_ns, spent_ns, revoked, session FROM refresh_tokens WHERE hash = ?`+db.d.ForUpdate), oldHash).
			Scan(&userID, &exp, &spent, &revoked, &session)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("refresh token: %w", server.ErrNotFound)
		case err != nil:
			return fmt.Errorf("read refresh token: %w", err)
		case revoked != 0 || exp <= now.UnixNano():
			return fmt.Errorf("refresh token expired or revoked: %w", server.ErrNotFound)
		case spent != 0:
			return errReuse
		case session == "":
			// Issued before sessions existed: its access tokens could not
			// be revoked, so it is not renewed.
			return fmt.Errorf("refresh token without a session, log in again: %w", server.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET spent_ns = ? WHERE hash = ?`), now.UnixNano(), oldHash); err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO refresh_tokens (hash, user_id, expires_ns, created_ns, session) VALUES (?, ?, ?, ?, ?)`),
			newHash, userID, ns(expires), now.UnixNano(), session)
		return err
	})
	if errors.Is(err, errReuse) {
		// The transaction was rolled back by db.tx; revoke in a new one:
		// every refresh token and every session (so every access token)
		// of the user, since which copy is the thief's is unknown.
		err := db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?`), userID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, db.q(`UPDATE sessions SET revoked_ns = ? WHERE user_id = ? AND revoked_ns = 0`), now.UnixNano(), userID)
			return err
		})
		if err != nil {
			return 0, "", fmt.Errorf("revoke sessions of user %d: %w", userID, err)
		}
		return 0, "", fmt.Errorf("refresh token used twice, every session of the user revoked: %w", server.ErrNotFound)
	}
	if err != nil {
		return 0, "", err
	}
	return userID, session, nil
}

// RevokeRefreshToken implements server.Store: logout ends the session, so
// its access tokens stop working at once.
func (db *DB) RevokeRefreshToken(ctx context.Context, hash []byte, now time.Time) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var session string
		err := tx.QueryRowContext(ctx, db.q(`UPDATE refresh_tokens SET revoked = 1, spent_ns = ? WHERE hash = ? RETURNING session`), now.UnixNano(), hash).Scan(&session)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && session == "") {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`UPDATE sessions SET revoked_ns = ? WHERE id = ? AND revoked_ns = 0`), now.UnixNano(), session)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke refresh token: %w", err)
	}
	return nil
}

// SessionUser implements server.Store: one indexed join, the same cost as
// reading the user alone, so every request sees a logout at once, in
// every process.
func (db *DB) SessionUser(ctx context.Context, session string, userID int64) (server.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT u.id, u.name, u.role, u.units, u.pw_hash, u.created_ns, u.disabled
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ? AND s.revoked_ns = 0`), session, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("session of user %d: %w", userID, server.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("read session of user %d: %w", userID, err)
	}
	return u, nil
}
