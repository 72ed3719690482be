package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

// migrations are applied in order, each once, at start. Never edit an
// applied one: append a new version. {{BLOB}}, {{DOUBLE}}, {{AUTOID}} are
// replaced by the dialect's types. Times are Unix nanoseconds (0 = none),
// booleans 0/1, so both databases store the same values.
var migrations = [][]string{
	1: {
		`CREATE TABLE meta (key TEXT PRIMARY KEY, ival BIGINT NOT NULL DEFAULT 0, bval {{BLOB}})`,
		`INSERT INTO meta (key, ival) VALUES ('rev', 0)`,
		`CREATE TABLE codes (
			hash {{BLOB}} PRIMARY KEY, units TEXT NOT NULL, expires_ns BIGINT NOT NULL,
			created_ns BIGINT NOT NULL, created_by TEXT NOT NULL,
			used_ns BIGINT NOT NULL DEFAULT 0, used_by TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE devices (
			id TEXT PRIMARY KEY, name TEXT NOT NULL, app_version TEXT NOT NULL, units TEXT NOT NULL,
			token_hash {{BLOB}} NOT NULL UNIQUE, created_ns BIGINT NOT NULL,
			revoked_ns BIGINT NOT NULL DEFAULT 0, last_seen_ns BIGINT NOT NULL DEFAULT 0,
			hb_received_ns BIGINT NOT NULL DEFAULT 0, hb_backlog BIGINT NOT NULL DEFAULT 0,
			hb_oldest_ns BIGINT NOT NULL DEFAULT 0, hb_offset_ns BIGINT NOT NULL DEFAULT 0,
			hb_fps {{DOUBLE}} NOT NULL DEFAULT 0, hb_disk BIGINT NOT NULL DEFAULT 0,
			hb_app TEXT NOT NULL DEFAULT '', hb_error TEXT NOT NULL DEFAULT '',
			hb_clock_flag INTEGER NOT NULL DEFAULT 0,
			chain_head BIGINT NOT NULL DEFAULT 0, chain_breaks BIGINT NOT NULL DEFAULT 0,
			chain_broken_at BIGINT NOT NULL DEFAULT 0, chain_message TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE events (
			id TEXT PRIMARY KEY, device TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
			nip TEXT NOT NULL, time_ns BIGINT NOT NULL, zone TEXT NOT NULL, monotonic_ns BIGINT NOT NULL,
			boot_id TEXT NOT NULL, clock_offset_ns BIGINT NOT NULL, distance {{DOUBLE}} NOT NULL,
			margin {{DOUBLE}} NOT NULL, liveness TEXT NOT NULL, liveness_score {{DOUBLE}} NOT NULL,
			photo_id TEXT NOT NULL, operator TEXT NOT NULL, note TEXT NOT NULL,
			recorded_ns BIGINT NOT NULL, prev_hash {{BLOB}} NOT NULL, hash {{BLOB}} NOT NULL,
			received_ns BIGINT NOT NULL, approval TEXT NOT NULL DEFAULT '',
			approved_by TEXT NOT NULL DEFAULT '', approved_ns BIGINT NOT NULL DEFAULT 0)`,
		`CREATE INDEX events_device_seq ON events (device, seq)`,
		`CREATE INDEX events_nip_time ON events (nip, time_ns)`,
		`CREATE INDEX events_time ON events (time_ns)`,
		`CREATE TABLE employees (
			nip TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL, prev_unit TEXT NOT NULL DEFAULT '',
			status TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, rev BIGINT NOT NULL,
			updated_ns BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX employees_rev ON employees (rev)`,
		`CREATE INDEX employees_unit ON employees (unit)`,
		`CREATE TABLE templates (
			nip TEXT NOT NULL REFERENCES employees (nip) ON DELETE CASCADE, id TEXT NOT NULL,
			descriptor {{BLOB}} NOT NULL, face_width INTEGER NOT NULL, sharpness {{DOUBLE}} NOT NULL,
			brightness {{DOUBLE}} NOT NULL, yaw {{DOUBLE}} NOT NULL, eye_openness {{DOUBLE}} NOT NULL,
			taken_ns BIGINT NOT NULL, photo {{BLOB}}, PRIMARY KEY (nip, id))`,
		`CREATE TABLE users (
			id {{AUTOID}}, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, units TEXT NOT NULL,
			pw_hash TEXT NOT NULL, created_ns BIGINT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE login_attempts (
			key TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0,
			window_ns BIGINT NOT NULL DEFAULT 0, locked_until_ns BIGINT NOT NULL DEFAULT 0)`,
		`CREATE TABLE refresh_tokens (
			hash {{BLOB}} PRIMARY KEY, user_id BIGINT NOT NULL, expires_ns BIGINT NOT NULL,
			created_ns BIGINT NOT NULL, spent_ns BIGINT NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0)`,
		`CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)`,
		`CREATE TABLE audit (
			id {{AUTOID}}, time_ns BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
			target TEXT NOT NULL, detail TEXT NOT NULL, remote TEXT NOT NULL)`,
	},
	// 2: trust boundaries of the device side (issue 13). Events are keyed
	// on (device, id), carry the clock-corrected time and the kept-aside
	// state; devices hold a sealed secret that MACs their events and the
	// newest event time received; employees' unit history says which unit
	// a NIP belonged to at an event's time.
	2: {
		`CREATE TABLE events_v2 (
			id TEXT NOT NULL, device TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
			nip TEXT NOT NULL, time_ns BIGINT NOT NULL, zone TEXT NOT NULL, monotonic_ns BIGINT NOT NULL,
			boot_id TEXT NOT NULL, clock_offset_ns BIGINT NOT NULL, distance {{DOUBLE}} NOT NULL,
			margin {{DOUBLE}} NOT NULL, liveness TEXT NOT NULL, liveness_score {{DOUBLE}} NOT NULL,
			photo_id TEXT NOT NULL, operator TEXT NOT NULL, note TEXT NOT NULL,
			recorded_ns BIGINT NOT NULL, prev_hash {{BLOB}} NOT NULL, hash {{BLOB}} NOT NULL,
			received_ns BIGINT NOT NULL, approval TEXT NOT NULL DEFAULT '',
			approved_by TEXT NOT NULL DEFAULT '', approved_ns BIGINT NOT NULL DEFAULT 0,
			corrected_ns BIGINT NOT NULL DEFAULT 0, clock_flag INTEGER NOT NULL DEFAULT 0,
			held TEXT NOT NULL DEFAULT '', held_note TEXT NOT NULL DEFAULT '',
			review TEXT NOT NULL DEFAULT '', reviewed_by TEXT NOT NULL DEFAULT '',
			reviewed_ns BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (device, id))`,
		`INSERT INTO events_v2 (id, device, seq, kind, nip, time_ns, zone, monotonic_ns, boot_id, clock_offset_ns,
			distance, margin, liveness, liveness_score, photo_id, operator, note, recorded_ns, prev_hash, hash,
			received_ns, approval, approved_by, approved_ns, corrected_ns)
			SELECT id, device, seq, kind, nip, time_ns, zone, monotonic_ns, boot_id, clock_offset_ns,
			distance, margin, liveness, liveness_score, photo_id, operator, note, recorded_ns, prev_hash, hash,
			received_ns, approval, approved_by, approved_ns, time_ns + clock_offset_ns FROM events`,
		`DROP TABLE events`,
		`ALTER TABLE events_v2 RENAME TO events`,
		`CREATE INDEX events_device_seq ON events (device, seq)`,
		`CREATE INDEX events_nip_time ON events (nip, time_ns)`,
		`CREATE INDEX events_time ON events (time_ns)`,
		`CREATE INDEX events_id ON events (id)`,
		`CREATE INDEX events_held ON events (held, review)`,
		`ALTER TABLE devices ADD COLUMN secret {{BLOB}}`,
		`ALTER TABLE devices ADD COLUMN newest_ns BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE devices ADD COLUMN hb_claimed_ns BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE devices ADD COLUMN hb_alert TEXT NOT NULL DEFAULT ''`,
		`UPDATE devices SET newest_ns = COALESCE((SELECT MAX(e.time_ns) FROM events e WHERE e.device = devices.id), 0)`,
		`CREATE TABLE employee_units (nip TEXT NOT NULL, unit TEXT NOT NULL, from_ns BIGINT NOT NULL, PRIMARY KEY (nip, from_ns))`,
		`INSERT INTO employee_units (nip, unit, from_ns) SELECT nip, unit, 0 FROM employees WHERE deleted = 0`,
	},
	// 3: logins reserve a check before hashing (pending); access tokens
	// belong to a session (a refresh-token family) that logout and reuse
	// end; pending approvals are counted from a partial index.
	3: {
		`ALTER TABLE login_attempts ADD COLUMN pending INTEGER NOT NULL DEFAULT 0`,
		`CREATE TABLE sessions (
			id TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created_ns BIGINT NOT NULL,
			revoked_ns BIGINT NOT NULL DEFAULT 0)`,
		`CREATE INDEX sessions_user ON sessions (user_id)`,
		`ALTER TABLE refresh_tokens ADD COLUMN session TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX events_pending ON events (approval) WHERE approval = 'pending'`,
	},
	// 4: leave, corrections, calendar, rosters and recap indexes (recap).
	// Dates are YYYYMMDD integers; exceptions.doc is sealed like photos.
	4: {
		`CREATE TABLE exception_types (code TEXT PRIMARY KEY, name TEXT NOT NULL, effect TEXT NOT NULL,
			active INTEGER NOT NULL, position INTEGER NOT NULL)`,
		`INSERT INTO meta (key, ival) VALUES ('exception_types', 0)`,
		`CREATE TABLE exceptions (
			id TEXT PRIMARY KEY, nip TEXT NOT NULL, unit TEXT NOT NULL, type TEXT NOT NULL,
			from_day INTEGER NOT NULL, to_day INTEGER NOT NULL, at_min INTEGER NOT NULL DEFAULT -1,
			reason TEXT NOT NULL, doc_name TEXT NOT NULL DEFAULT '', doc_type TEXT NOT NULL DEFAULT '',
			doc_size BIGINT NOT NULL DEFAULT 0, doc {{BLOB}}, state TEXT NOT NULL,
			created_by TEXT NOT NULL, created_ns BIGINT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',
			decided_ns BIGINT NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',
			revoked_by TEXT NOT NULL DEFAULT '', revoked_ns BIGINT NOT NULL DEFAULT 0,
			types_version INTEGER NOT NULL)`,
		`CREATE INDEX exceptions_nip_days ON exceptions (nip, from_day)`,
		`CREATE INDEX exceptions_state_created ON exceptions (state, created_ns)`,
		`CREATE INDEX exceptions_unit_days ON exceptions (unit, to_day)`,
		`CREATE TABLE corrections (
			id TEXT PRIMARY KEY, nip TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL,
			time_ns BIGINT NOT NULL, reason TEXT NOT NULL, state TEXT NOT NULL,
			created_by TEXT NOT NULL, created_ns BIGINT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',
			decided_ns BIGINT NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX corrections_nip_time ON corrections (nip, time_ns)`,
		`CREATE INDEX corrections_state_created ON corrections (state, created_ns)`,
		`CREATE TABLE holidays (day INTEGER PRIMARY KEY, year INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL)`,
		`CREATE INDEX holidays_year ON holidays (year)`,
		`CREATE TABLE holiday_years (year INTEGER PRIMARY KEY)`,
		`CREATE TABLE shifts (nip TEXT NOT NULL, day INTEGER NOT NULL, unit TEXT NOT NULL, shift TEXT NOT NULL,
			off INTEGER NOT NULL, PRIMARY KEY (nip, day))`,
		`CREATE INDEX shifts_unit_day ON shifts (unit, day)`,
		`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE employee_service (nip TEXT PRIMARY KEY, from_day INTEGER NOT NULL, to_day INTEGER NOT NULL)`,
		// The recap walks a unit's people in NIP order and each one's
		// events by (nip, corrected_ns): no sort, no scan of other units.
		// The events index also covers kind, approval and the kept-aside
		// state, so the recap reads the index alone.
		`CREATE INDEX recap_employees_unit_nip ON employees (unit, nip)`,
		`CREATE INDEX events_nip_time_kind ON events (nip, corrected_ns, kind, approval, held, review)`,
		// The approvals queue finds manual events awaiting (or given) a
		// decision without scanning the month's events.
		`CREATE INDEX recap_events_decisions ON events (approval, time_ns) WHERE approval <> ''`,
	},
	// 5: console browser sessions (server/console), shared by every
	// process on one database; only the hash of the cookie token is kept.
	5: {
		`CREATE TABLE console_sessions (
			hash {{BLOB}} PRIMARY KEY, user_id BIGINT NOT NULL, sid TEXT NOT NULL, csrf TEXT NOT NULL,
			created_ns BIGINT NOT NULL, used_ns BIGINT NOT NULL)`,
		`CREATE INDEX console_sessions_used ON console_sessions (used_ns)`,
		`CREATE INDEX console_sessions_created ON console_sessions (created_ns)`,
	},
	// 6: template adaptation: a template a kiosk learnt from a check-in
	// (api.Template.Adapted), kept apart so its bound holds.
	6: {
		`ALTER TABLE templates ADD COLUMN adapted INTEGER NOT NULL DEFAULT 0`,
	},
	// 7: fewer index writes per ingested event. events_nip_time served
	// only the retired /api/v1/reports (the recap reads
	// events_nip_time_kind); kept-aside events are rare, so their index
	// holds only them. Each event now updates one index in NIP order
	// instead of two, the one that costs as the table grows (issue 14).
	7: {
		`DROP INDEX events_nip_time`,
		`DROP INDEX events_held`,
		`CREATE INDEX events_held ON events (held, review) WHERE held <> ''`,
	},
}

// SchemaVersion is the latest migration version.
func SchemaVersion() int { return len(migrations) - 1 }

// migrate applies pending migrations, each in its own transaction, under
// the dialect's migration lock so that processes starting together do not
// race.
func (db *DB) migrate(ctx context.Context) error {
	if err := db.refuseNewer(ctx); err != nil {
		return err
	}
	for v := 1; v < len(migrations); v++ {
		if migrations[v] == nil {
			// A version merged later (branches number theirs ahead);
			// leave it unrecorded so it is applied once it exists.
			continue
		}
		err := db.tx(ctx, func(tx *sql.Tx) error {
			if db.d.LockMigrations != nil {
				if err := db.d.LockMigrations(ctx, tx); err != nil {
					return fmt.Errorf("lock migrations: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ns BIGINT NOT NULL)`); err != nil {
				return fmt.Errorf("create schema_migrations: %w", err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v).Scan(&n); err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range migrations[v] {
				if _, err := tx.ExecContext(ctx, db.ddl(stmt)); err != nil {
					return fmt.Errorf("migration %d: %w\n%s", v, err, stmt)
				}
			}
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version, applied_ns) VALUES (?, ?)`), v, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s schema: %w", db.d.Name, err)
		}
	}
	return nil
}

// refuseNewer stops a downgraded server before it touches a database a
// newer version migrated: the newer columns and rules would be ignored or
// broken by the old code, silently.
func (db *DB) refuseNewer(ctx context.Context) error {
	var newest sql.NullInt64
	err := db.w.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest)
	if err != nil {
		return nil // no schema_migrations yet: a new database
	}
	if newest.Valid && int(newest.Int64) > SchemaVersion() {
		return fmt.Errorf("%w: %s schema version %d, this hadir-server knows up to %d; install the newer hadir-server (or restore the backup taken before the upgrade)",
			server.ErrNewerSchema, db.d.Name, newest.Int64, SchemaVersion())
	}
	return nil
}

func (db *DB) ddl(stmt string) string {
	for k, v := range db.d.Types {
		stmt = strings.ReplaceAll(stmt, "{{"+k+"}}", v)
	}
	return stmt
}
