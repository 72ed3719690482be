package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/server"
)

func encodeUnits(units []string) string {
	if units == nil {
		units = []string{}
	}
	b, _ := json.Marshal(units)
	return string(b)
}

func decodeUnits(s string) []string {
	var u []string
	_ = json.Unmarshal([]byte(s), &u)
	if u == nil {
		u = []string{}
	}
	return u
}

// CreateCode implements server.Store.
func (db *DB) CreateCode(ctx context.Context, codeHash []byte, units []string, expires time.Time, createdBy string) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO codes (hash, units, expires_ns, created_ns, created_by) VALUES (?, ?, ?, ?, ?)`),
		codeHash, encodeUnits(units), ns(expires), time.Now().UnixNano(), createdBy)
	if err != nil {
		return fmt.Errorf("store enrollment code: %w", err)
	}
	return nil
}

// RegisterDevice implements server.Store.
func (db *DB) RegisterDevice(ctx context.Context, codeHash []byte, d server.Device, now time.Time) (server.Device, error) {
	var sealed []byte
	if d.Secret != nil {
		if err := db.needKey(); err != nil {
			return server.Device{}, err
		}
		sealed = db.cipher.Seal(d.Secret, secretAD(d.ID))
	}
	created := now
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var units string
		err := tx.QueryRowContext(ctx, db.q(`UPDATE codes SET used_ns = ?, used_by = ? WHERE hash = ? AND used_ns = 0 AND expires_ns > ? RETURNING units`),
			now.UnixNano(), d.ID, codeHash, now.UnixNano()).Scan(&units)
		if errors.Is(err, sql.ErrNoRows) {
			return server.ErrInvalidCode
		}
		if err != nil {
			return fmt.Errorf("spend enrollment code: %w", err)
		}
		d.Units = decodeUnits(units)
		var revoked, first int64
		err = tx.QueryRowContext(ctx, db.q(`SELECT revoked_ns, created_ns FROM devices WHERE id = ?`+db.d.ForUpdate), d.ID).Scan(&revoked, &first)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, db.q(`INSERT INTO devices (id, name, app_version, units, token_hash, created_ns, secret) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				d.ID, d.Name, d.AppVersion, encodeUnits(d.Units), d.TokenHash, now.UnixNano(), sealed)
		case err != nil:
			return fmt.Errorf("look up device %q: %w", d.ID, err)
		case revoked == 0:
			return fmt.Errorf("%w: %q", server.ErrDeviceExists, d.ID)
		default: // re-registering a revoked kiosk: new credentials, chain and first registration kept
			created = time.Unix(0, first)
			_, err = tx.ExecContext(ctx, db.q(`UPDATE devices SET name = ?, app_version = ?, units = ?, token_hash = ?, secret = ?, revoked_ns = 0 WHERE id = ?`),
				d.Name, d.AppVersion, encodeUnits(d.Units), d.TokenHash, sealed, d.ID)
		}
		if err != nil && db.d.IsUnique(err) { // registered concurrently
			return fmt.Errorf("%w: %q", server.ErrDeviceExists, d.ID)
		}
		if err != nil {
			return fmt.Errorf("store device %q: %w", d.ID, err)
		}
		return nil
	})
	if err != nil {
		return server.Device{}, err
	}
	d.CreatedAt, d.Keyed = created.UTC(), d.Secret != nil
	return d, nil
}

// secretAD binds a sealed device secret to its device.
func secretAD(id string) []byte { return []byte("hadir/device-secret/" + id) }

// RekeyDevice implements server.Store: a secret for a device that has
// none (registered before secrets existed); ErrConflict when it has one.
func (db *DB) RekeyDevice(ctx context.Context, id string, secret []byte) error {
	if err := db.needKey(); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE devices SET secret = ? WHERE id = ? AND secret IS NULL AND revoked_ns = 0`),
		db.cipher.Seal(secret, secretAD(id)), id)
	if err != nil {
		return fmt.Errorf("rekey device %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: device %q already holds a secret (or is revoked); register it again", server.ErrConflict, id)
	}
	return nil
}

const deviceCols = `id, name, app_version, units, token_hash, created_ns, revoked_ns, last_seen_ns,
	hb_received_ns, hb_backlog, hb_oldest_ns, hb_offset_ns, hb_fps, hb_disk, hb_app, hb_error, hb_clock_flag,
	chain_head, chain_breaks, chain_broken_at, chain_message, secret, newest_ns, hb_claimed_ns, hb_alert`

func (db *DB) scanDevice(sc interface{ Scan(...any) error }) (server.Device, error) {
	var d server.Device
	var units string
	var created, revoked, seen, hbRecv, hbOldest, hbOffset, newest, claimed int64
	var flag int
	var sealed []byte
	err := sc.Scan(&d.ID, &d.Name, &d.AppVersion, &units, &d.TokenHash, &created, &revoked, &seen,
		&hbRecv, &d.Heartbeat.Backlog, &hbOldest, &hbOffset, &d.Heartbeat.CameraFPS, &d.Heartbeat.FreeDisk,
		&d.Heartbeat.AppVersion, &d.Heartbeat.LastError, &flag,
		&d.Chain.HeadSeq, &d.Chain.Breaks, &d.Chain.BrokenAt, &d.Chain.Message,
		&sealed, &newest, &claimed, &d.Heartbeat.BacklogAlert)
	if err != nil {
		return d, err
	}
	d.Keyed, d.NewestEvent, d.Heartbeat.ClaimedOldest = len(sealed) > 0, fromNS(newest), fromNS(claimed)
	if d.Keyed && db.cipher != nil {
		if d.Secret, err = db.cipher.Open(sealed, secretAD(d.ID)); err != nil {
			return d, fmt.Errorf("device %q secret: %w", d.ID, err)
		}
	}
	d.Units = decodeUnits(units)
	d.CreatedAt, d.RevokedAt, d.LastSeen = fromNS(created), fromNS(revoked), fromNS(seen)
	d.Heartbeat.Received, d.Heartbeat.OldestPending = fromNS(hbRecv), fromNS(hbOldest)
	d.Heartbeat.ClockOffset = time.Duration(hbOffset)
	d.Heartbeat.ClockFlagged = flag != 0
	return d, nil
}

// DeviceByToken implements server.Store.
func (db *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (server.Device, error) {
	d, err := db.scanDevice(db.r.QueryRowContext(ctx, db.q(`SELECT `+deviceCols+` FROM devices WHERE token_hash = ?`), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("device token: %w", server.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("look up device token: %w", err)
	}
	return d, nil
}

// Devices implements server.Store.
func (db *DB) Devices(ctx context.Context) ([]server.Device, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+deviceCols+` FROM devices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	var out []server.Device
	for rows.Next() {
		d, err := db.scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RevokeDevice implements server.Store.
func (db *DB) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE devices SET revoked_ns = CASE WHEN revoked_ns = 0 THEN ? ELSE revoked_ns END WHERE id = ?`), now.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("revoke device %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("device %q: %w", id, server.ErrNotFound)
	}
	return nil
}

// SaveHeartbeat implements server.Store.
func (db *DB) SaveHeartbeat(ctx context.Context, id string, hb server.Heartbeat) error {
	_, err := db.w.ExecContext(ctx, db.q(`UPDATE devices SET hb_received_ns = ?, hb_backlog = ?, hb_oldest_ns = ?, hb_offset_ns = ?,
		hb_fps = ?, hb_disk = ?, hb_app = ?, hb_error = ?, hb_clock_flag = ?, last_seen_ns = ?, hb_claimed_ns = ?, hb_alert = ?,
		app_version = CASE WHEN ? <> '' THEN ? ELSE app_version END WHERE id = ?`),
		ns(hb.Received), hb.Backlog, ns(hb.OldestPending), int64(hb.ClockOffset), hb.CameraFPS, hb.FreeDisk,
		hb.AppVersion, hb.LastError, b2i(hb.ClockFlagged), ns(hb.Received), ns(hb.ClaimedOldest), hb.BacklogAlert,
		hb.AppVersion, hb.AppVersion, id)
	if err != nil {
		return fmt.Errorf("store heartbeat of %q: %w", id, err)
	}
	return nil
}
