package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

// attempt is one login_attempts row being changed inside a transaction.
type attempt struct {
	failures, pending int
	window, until     int64
}

// lockAttempts creates the rows of keys if missing and locks them, in key
// order so that two logins sharing keys never deadlock on PostgreSQL
// (SQLite's write transaction already holds the whole database).
func (db *DB) lockAttempts(ctx context.Context, tx *sql.Tx, keys []server.LoginKey) ([]server.LoginKey, []attempt, error) {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b server.LoginKey) int { return strings.Compare(a.Key, b.Key) })
	rows := make([]attempt, len(keys))
	for i, k := range keys {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO login_attempts (key) VALUES (?) ON CONFLICT (key) DO NOTHING`), k.Key); err != nil {
			return nil, nil, fmt.Errorf("lock login attempts of %s: %w", k.Key, err)
		}
		a := &rows[i]
		err := tx.QueryRowContext(ctx, db.q(`SELECT failures, pending, window_ns, locked_until_ns FROM login_attempts WHERE key = ?`+db.d.ForUpdate), k.Key).
			Scan(&a.failures, &a.pending, &a.window, &a.until)
		if err != nil {
			return nil, nil, fmt.Errorf("read login attempts of %s: %w", k.Key, err)
		}
	}
	return keys, rows, nil
}

func (db *DB) saveAttempt(ctx context.Context, tx *sql.Tx, key string, a attempt) error {
	_, err := tx.ExecContext(ctx, db.q(`UPDATE login_attempts SET failures = ?, pending = ?, window_ns = ?, locked_until_ns = ? WHERE key = ?`),
		a.failures, a.pending, a.window, a.until, key)
	if err != nil {
		return fmt.Errorf("update login attempts of %s: %w", key, err)
	}
	return nil
}

// freshWindow starts a new counting window when the old one is over; a
// reservation left pending by a crashed process ends with its window.
func freshWindow(a *attempt, now time.Time, p server.LockoutPolicy) {
	if a.window == 0 || now.UnixNano()-a.window > int64(p.Window) {
		a.failures, a.pending, a.window = 0, 0, now.UnixNano()
	}
}

// ReserveLogin implements server.Store: the lock check and the reservation
// are one transaction, so parallel logins cannot all pass the check before
// any failure is counted.
func (db *DB) ReserveLogin(ctx context.Context, keys []server.LoginKey, now time.Time) (time.Time, error) {
	var refused time.Time
	err := db.tx(ctx, func(tx *sql.Tx) error {
		sorted, rows, err := db.lockAttempts(ctx, tx, keys)
		if err != nil {
			return err
		}
		for i, k := range sorted {
			a := &rows[i]
			if a.until > now.UnixNano() {
				refused = fromNS(a.until)
				return nil // nothing changed: commit is a no-op
			}
			freshWindow(a, now, k.Policy)
			if a.failures+a.pending >= k.Policy.Max {
				// The checks in flight could reach the limit: wait for them.
				refused = now.Add(time.Second)
				return nil
			}
			a.pending++
		}
		for i, k := range sorted {
			if err := db.saveAttempt(ctx, tx, k.Key, rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve login: %w", err)
	}
	return refused, nil
}

// FinishLogin implements server.Store.
func (db *DB) FinishLogin(ctx context.Context, keys []server.LoginKey, outcome server.LoginOutcome, now time.Time) (time.Time, error) {
	var locked time.Time
	err := db.tx(ctx, func(tx *sql.Tx) error {
		sorted, rows, err := db.lockAttempts(ctx, tx, keys)
		if err != nil {
			return err
		}
		for i, k := range sorted {
			a := &rows[i]
			a.pending = max(0, a.pending-1)
			switch {
			case outcome == server.LoginFailed:
				if a.window == 0 || now.UnixNano()-a.window > int64(k.Policy.Window) {
					a.failures, a.window = 0, now.UnixNano()
				}
				a.failures++
				if a.failures >= k.Policy.Max {
					a.until = now.Add(k.Policy.LockFor).UnixNano()
					a.failures, a.window = 0, 0
					locked = fromNS(max(a.until, ns(locked)))
				}
			case outcome == server.LoginSucceeded && k.ClearOnSuccess:
				a.failures = 0
			}
			if err := db.saveAttempt(ctx, tx, k.Key, *a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("finish login: %w", err)
	}
	return locked, nil
}
