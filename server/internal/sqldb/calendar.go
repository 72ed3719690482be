package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// Holidays implements server.Store. The first read of a year stores the
// shipped defaults for it (if any), so that later edits start from them
// and an emptied year stays empty.
func (db *DB) Holidays(ctx context.Context, year int) ([]attendance.Holiday, error) {
	var seeded int
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM holiday_years WHERE year = ?`), year).Scan(&seeded); err != nil {
		return nil, fmt.Errorf("read holidays of %d: %w", year, err)
	}
	if seeded == 0 {
		err := db.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, db.q(`INSERT INTO holiday_years (year) VALUES (?) ON CONFLICT (year) DO NOTHING`), year)
			if err != nil {
				return fmt.Errorf("seed holidays of %d: %w", year, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another process seeded it
			}
			return db.insertHolidays(ctx, tx, year, attendance.DefaultHolidays(year))
		})
		if err != nil {
			return nil, err
		}
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT day, name, kind FROM holidays WHERE year = ? ORDER BY day`), year)
	if err != nil {
		return nil, fmt.Errorf("read holidays of %d: %w", year, err)
	}
	defer rows.Close()
	out := []attendance.Holiday{}
	for rows.Next() {
		var h attendance.Holiday
		var day int
		if err := rows.Scan(&day, &h.Name, &h.Kind); err != nil {
			return nil, fmt.Errorf("read holidays of %d: %w", year, err)
		}
		h.Date = fromDayNum(day)
		out = append(out, h)
	}
	return out, rows.Err()
}

func (db *DB) insertHolidays(ctx context.Context, tx *sql.Tx, year int, hs []attendance.Holiday) error {
	for _, h := range hs {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO holidays (day, year, name, kind) VALUES (?, ?, ?, ?)`),
			dayNum(h.Date), year, h.Name, string(h.Kind)); err != nil {
			return fmt.Errorf("store holiday %s: %w", h.Date, err)
		}
	}
	return nil
}

// PutHolidays implements server.Store.
func (db *DB) PutHolidays(ctx context.Context, year int, hs []attendance.Holiday, a server.AuditEntry) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO holiday_years (year) VALUES (?) ON CONFLICT (year) DO NOTHING`), year); err != nil {
			return fmt.Errorf("replace holidays of %d: %w", year, err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM holidays WHERE year = ?`), year); err != nil {
			return fmt.Errorf("replace holidays of %d: %w", year, err)
		}
		if err := db.insertHolidays(ctx, tx, year, hs); err != nil {
			return err
		}
		return db.auditTx(ctx, tx, a)
	})
}

// PutShifts implements server.Store.
func (db *DB) PutShifts(ctx context.Context, unit string, es []server.ShiftEntry, a server.AuditEntry) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO shifts (nip, day, unit, shift, off) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (nip, day) DO UPDATE SET unit = excluded.unit, shift = excluded.shift, off = excluded.off`),
				e.NIP, dayNum(e.Date), unit, e.Shift, b2i(e.Off))
			if err != nil {
				return fmt.Errorf("store shift of %s on %s: %w", e.NIP, e.Date, err)
			}
		}
		return db.auditTx(ctx, tx, a)
	})
}

// Shifts implements server.Store.
func (db *DB) Shifts(ctx context.Context, unit string, from, to attendance.Date) ([]server.ShiftEntry, error) {
	q, args := `SELECT nip, day, shift, off FROM shifts WHERE day >= ? AND day <= ?`, []any{dayNum(from), dayNum(to)}
	if unit != "" {
		q, args = q+` AND unit = ?`, append(args, unit)
	}
	rows, err := db.r.QueryContext(ctx, db.q(q+` ORDER BY nip, day`), args...)
	if err != nil {
		return nil, fmt.Errorf("read shifts of %q: %w", unit, err)
	}
	defer rows.Close()
	out := []server.ShiftEntry{}
	for rows.Next() {
		var e server.ShiftEntry
		var day, off int
		if err := rows.Scan(&e.NIP, &day, &e.Shift, &off); err != nil {
			return nil, fmt.Errorf("read shifts of %q: %w", unit, err)
		}
		e.Date, e.Off = fromDayNum(day), off == 1
		out = append(out, e)
	}
	return out, rows.Err()
}

// Setting implements server.Store.
func (db *DB) Setting(ctx context.Context, key string) ([]byte, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("setting %q: %w", key, server.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read setting %q: %w", key, err)
	}
	return []byte(v), nil
}

// PutSetting implements server.Store.
func (db *DB) PutSetting(ctx context.Context, key string, value []byte, a server.AuditEntry) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
			key, string(value)); err != nil {
			return fmt.Errorf("store setting %q: %w", key, err)
		}
		return db.auditTx(ctx, tx, a)
	})
}

// PutService implements server.Store.
func (db *DB) PutService(ctx context.Context, nip string, from, to attendance.Date, a server.AuditEntry) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockPerson(ctx, tx, nip); err != nil {
			return err
		}
		toN := 99991231
		if !to.IsZero() {
			toN = dayNum(to)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO employee_service (nip, from_day, to_day) VALUES (?, ?, ?)
			ON CONFLICT (nip) DO UPDATE SET from_day = excluded.from_day, to_day = excluded.to_day`), nip, dayNum(from), toN); err != nil {
			return fmt.Errorf("store service of %s: %w", nip, err)
		}
		return db.auditTx(ctx, tx, a)
	})
}
