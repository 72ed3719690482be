package sqldb

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/server"
)

// descriptorAD binds a sealed descriptor or photo to its row.
func descriptorAD(kind, nip, id string) []byte { return []byte("hadir/" + kind + "/" + nip + "/" + id) }

func (db *DB) sealDescriptor(nip, id string, d *[server.DescriptorLen]float32) []byte {
	var b [server.DescriptorLen * 4]byte
	for i, v := range d {
		binary.LittleEndian.PutUint32(b[i*4:], math.Float32bits(v))
	}
	return db.cipher.Seal(b[:], descriptorAD("tpl", nip, id))
}

func (db *DB) openDescriptor(nip, id string, sealed []byte) ([server.DescriptorLen]float32, error) {
	var d [server.DescriptorLen]float32
	b, err := db.cipher.Open(sealed, descriptorAD("tpl", nip, id))
	if err != nil {
		return d, fmt.Errorf("template %s of %s: %w", id, nip, err)
	}
	if len(b) != len(d)*4 {
		return d, fmt.Errorf("template %s of %s: descriptor is %d bytes", id, nip, len(b))
	}
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
	}
	return d, nil
}

// PutEmployee implements server.Store.
func (db *DB) PutEmployee(ctx context.Context, e server.Employee, tpls []server.Template, opts server.PutOptions) (int64, error) {
	if err := db.needKey(); err != nil {
		return 0, err
	}
	var rev int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if rev, err = db.nextRev(ctx, tx); err != nil { // serialises roster writers
			return err
		}
		// The unit check reads under the revision lock, so no other
		// roster write can move the employee between check and write.
		var oldUnit string
		err = tx.QueryRowContext(ctx, db.q(`SELECT unit FROM employees WHERE nip = ? AND deleted = 0`), e.NIP).Scan(&oldUnit)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read employee %s: %w", e.NIP, err)
		}
		if len(opts.Units) > 0 && (!slices.Contains(opts.Units, e.Unit) || exists && !slices.Contains(opts.Units, oldUnit)) {
			return fmt.Errorf("%w: employee %s is in unit %q, the caller serves %v", server.ErrForbiddenUnit, e.NIP, oldUnit, opts.Units)
		}
		if opts.Threshold > 0 {
			if err := db.checkDuplicates(ctx, tx, rev-1, e.NIP, tpls, opts.Threshold); err != nil {
				return err
			}
		}
		prevUnit := ""
		if oldUnit != e.Unit {
			prevUnit = oldUnit // kiosks of the old unit must drop this person
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO employees (nip, name, unit, prev_unit, status, deleted, rev, updated_ns)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?)
			ON CONFLICT (nip) DO UPDATE SET name = excluded.name, unit = excluded.unit, prev_unit = excluded.prev_unit,
			status = excluded.status, deleted = 0, rev = excluded.rev, updated_ns = excluded.updated_ns`),
			e.NIP, e.Name, e.Unit, prevUnit, e.Status, rev, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("store employee %s: %w", e.NIP, err)
		}
		switch {
		case !exists: // a new NIP was nowhere else before
			err = db.recordUnit(ctx, tx, e.NIP, e.Unit, 0)
		case oldUnit != e.Unit: // an admin moved them: from now on
			err = db.recordUnit(ctx, tx, e.NIP, e.Unit, time.Now().UnixNano())
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM templates WHERE nip = ?`), e.NIP); err != nil {
			return fmt.Errorf("replace templates of %s: %w", e.NIP, err)
		}
		for i := range tpls {
			t := &tpls[i]
			var photo []byte
			if len(t.Photo) > 0 {
				photo = db.cipher.Seal(t.Photo, descriptorAD("photo", e.NIP, t.ID))
			}
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO templates (nip, id, descriptor, face_width, sharpness, brightness, yaw, eye_openness, taken_ns, photo, adapted)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				e.NIP, t.ID, db.sealDescriptor(e.NIP, t.ID, &t.Descriptor), t.Quality.FaceWidth, t.Quality.Sharpness,
				t.Quality.Brightness, t.Quality.Yaw, t.Quality.EyeOpenness, ns(t.TakenAt), photo, b2i(t.Adapted))
			if err != nil {
				if db.d.IsUnique(err) {
					return fmt.Errorf("%w: template id %q given twice", server.ErrInvalid, t.ID)
				}
				return fmt.Errorf("store template %s of %s: %w", t.ID, e.NIP, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return rev, nil
}

// checkDuplicates compares every template with all other NIPs' templates.
// It runs inside the roster transaction after the revision lock, so every
// change before ours is committed and loaded: two processes cannot enrol
// the same face under two NIPs at once.
func (db *DB) checkDuplicates(ctx context.Context, tx *sql.Tx, upTo int64, nip string, tpls []server.Template, threshold float64) error {
	db.galMu.Lock()
	defer db.galMu.Unlock()
	if err := db.refreshGallery(ctx, tx, upTo); err != nil {
		return err
	}
	best := &server.DuplicateFaceError{NIP: nip, Distance: math.Inf(1)}
	for i := range tpls {
		m := db.gal.Search(recognition.Descriptor(tpls[i].Descriptor))
		id, dist := m.ID, m.Distance
		if id == nip {
			id, dist = m.SecondID, m.SecondDistance
		}
		if id != "" && dist < threshold && dist < best.Distance {
			best.Conflict, best.Distance = id, dist
		}
	}
	if best.Conflict == "" {
		return nil
	}
	if err := tx.QueryRowContext(ctx, db.q(`SELECT name, unit FROM employees WHERE nip = ?`), best.Conflict).Scan(&best.Name, &best.Unit); err != nil {
		return fmt.Errorf("read employee %s: %w", best.Conflict, err)
	}
	return best
}

// refreshGallery loads every change after galRev (up to upTo, or all when
// upTo < 0) into the gallery. Caller holds galMu.
func (db *DB) refreshGallery(ctx context.Context, q querier, upTo int64) error {
	if err := db.needKey(); err != nil {
		return err
	}
	if upTo < 0 {
		cur, err := db.currentRev(ctx, q)
		if err != nil {
			return err
		}
		upTo = cur
	}
	if upTo <= db.galRev {
		return nil
	}
	from := max(db.galRev, 0)
	rows, err := q.QueryContext(ctx, db.q(`SELECT nip FROM employees WHERE rev > ? AND rev <= ?`), from, upTo)
	if err != nil {
		return fmt.Errorf("load face index: %w", err)
	}
	changed := map[string][]recognition.Descriptor{}
	for rows.Next() {
		var nip string
		if err := rows.Scan(&nip); err != nil {
			rows.Close()
			return fmt.Errorf("load face index: %w", err)
		}
		changed[nip] = nil
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, db.q(`SELECT t.nip, t.id, t.descriptor FROM templates t JOIN employees e ON e.nip = t.nip
		WHERE e.rev > ? AND e.rev <= ? AND e.deleted = 0`), from, upTo)
	if err != nil {
		return fmt.Errorf("load face index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var nip, id string
		var sealed []byte
		if err := rows.Scan(&nip, &id, &sealed); err != nil {
			return fmt.Errorf("load face index: %w", err)
		}
		d, err := db.openDescriptor(nip, id, sealed)
		if err != nil {
			return err
		}
		changed[nip] = append(changed[nip], recognition.Descriptor(d))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load face index: %w", err)
	}
	for nip, ds := range changed {
		if len(ds) == 0 {
			db.gal.Remove(nip)
		} else {
			db.gal.Set(nip, ds)
		}
	}
	db.galRev = upTo
	return nil
}

// FaceIndex implements server.Store.
func (db *DB) FaceIndex(ctx context.Context) (*recognition.Gallery, error) {
	db.galMu.Lock()
	defer db.galMu.Unlock()
	if err := db.refreshGallery(ctx, db.r, -1); err != nil {
		return nil, err
	}
	return db.gal, nil
}

// DeleteEmployee implements server.Store: templates and photos are
// deleted, the row becomes a tombstone (NIP, unit and rev only) so kiosks
// pulling the roster learn to erase the person too.
func (db *DB) DeleteEmployee(ctx context.Context, nip string) (int64, error) {
	var rev int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if rev, err = db.nextRev(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM templates WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("erase templates of %s: %w", nip, err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM employee_units WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("erase unit history of %s: %w", nip, err)
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE employees SET name = '', status = '', deleted = 1, prev_unit = '', rev = ?, updated_ns = ?
			WHERE nip = ? AND deleted = 0`), rev, time.Now().UnixNano(), nip)
		if err != nil {
			return fmt.Errorf("erase employee %s: %w", nip, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("employee %s: %w", nip, server.ErrNotFound)
		}
		return nil
	})
	return rev, err
}

// Employee implements server.Store.
func (db *DB) Employee(ctx context.Context, nip string) (server.Employee, []server.Template, error) {
	var e server.Employee
	err := db.r.QueryRowContext(ctx, db.q(`SELECT nip, name, unit, status, rev FROM employees WHERE nip = ? AND deleted = 0`), nip).
		Scan(&e.NIP, &e.Name, &e.Unit, &e.Status, &e.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil, fmt.Errorf("employee %s: %w", nip, server.ErrNotFound)
	}
	if err != nil {
		return e, nil, fmt.Errorf("read employee %s: %w", nip, err)
	}
	tpls, err := db.templatesOf(ctx, db.r, `t.nip = ?`, nip)
	if err != nil {
		return e, nil, err
	}
	e.Templates = len(tpls[nip])
	return e, tpls[nip], nil
}

// templatesOf loads and decrypts templates (without photos) matching a
// condition on t (templates) and e (employees), grouped by NIP.
func (db *DB) templatesOf(ctx context.Context, q querier, cond string, args ...any) (map[string][]server.Template, error) {
	if err := db.needKey(); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT t.nip, t.id, t.descriptor, t.face_width, t.sharpness, t.brightness, t.yaw, t.eye_openness, t.taken_ns, t.adapted
		FROM templates t JOIN employees e ON e.nip = t.nip WHERE `+cond+` ORDER BY t.nip, t.taken_ns, t.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read templates: %w", err)
	}
	defer rows.Close()
	out := map[string][]server.Template{}
	for rows.Next() {
		var nip string
		var t server.Template
		var sealed []byte
		var taken, adapted int64
		if err := rows.Scan(&nip, &t.ID, &sealed, &t.Quality.FaceWidth, &t.Quality.Sharpness, &t.Quality.Brightness,
			&t.Quality.Yaw, &t.Quality.EyeOpenness, &taken, &adapted); err != nil {
			return nil, fmt.Errorf("read templates: %w", err)
		}
		if t.Descriptor, err = db.openDescriptor(nip, t.ID, sealed); err != nil {
			return nil, err
		}
		t.TakenAt, t.Adapted = fromNS(taken), adapted != 0
		out[nip] = append(out[nip], t)
	}
	return out, rows.Err()
}

// Employees implements server.Store.
func (db *DB) Employees(ctx context.Context, unit string) ([]server.Employee, error) {
	q := `SELECT e.nip, e.name, e.unit, e.status, e.rev, (SELECT COUNT(*) FROM templates t WHERE t.nip = e.nip)
		FROM employees e WHERE e.deleted = 0`
	var args []any
	if unit != "" {
		q += ` AND e.unit = ?`
		args = append(args, unit)
	}
	rows, err := db.r.QueryContext(ctx, db.q(q+` ORDER BY e.unit, e.name, e.nip`), args...)
	if err != nil {
		return nil, fmt.Errorf("list employees: %w", err)
	}
	defer rows.Close()
	var out []server.Employee
	for rows.Next() {
		var e server.Employee
		if err := rows.Scan(&e.NIP, &e.Name, &e.Unit, &e.Status, &e.Rev, &e.Templates); err != nil {
			return nil, fmt.Errorf("list employees: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Roster implements server.Store. A change visible to a kiosk of unit U is
// an employee of U, or one who just moved away from U (sent as deleted).
func (db *DB) Roster(ctx context.Context, since int64, limit int, units []string) (server.RosterPage, error) {
	var page server.RosterPage
	cond, args := `e.rev > ?`, []any{since}
	if len(units) > 0 {
		cond += ` AND (e.unit IN (` + placeholders(len(units)) + `) OR e.prev_unit IN (` + placeholders(len(units)) + `))`
		for range 2 {
			for _, u := range units {
				args = append(args, u)
			}
		}
	}
	err := func() error {
		rows, err := db.r.QueryContext(ctx, db.q(`SELECT e.nip, e.name, e.unit, e.status, e.deleted, e.rev FROM employees e WHERE `+cond+
			fmt.Sprintf(` ORDER BY e.rev LIMIT %d`, limit+1)), args...)
		if err != nil {
			return fmt.Errorf("read roster: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c server.RosterChange
			var deleted int
			if err := rows.Scan(&c.NIP, &c.Employee.Name, &c.Employee.Unit, &c.Employee.Status, &deleted, &c.Rev); err != nil {
				return fmt.Errorf("read roster: %w", err)
			}
			c.Employee.NIP, c.Employee.Rev = c.NIP, c.Rev
			c.Deleted = deleted != 0 || (len(units) > 0 && !slices.Contains(units, c.Employee.Unit))
			page.Changes = append(page.Changes, c)
		}
		return rows.Err()
	}()
	if err != nil {
		return page, err
	}
	if len(page.Changes) > limit {
		page.Changes, page.More = page.Changes[:limit], true
	}
	if len(page.Changes) == 0 {
		page.Revision, err = db.currentRev(ctx, db.r)
		return page, err
	}
	last := page.Changes[len(page.Changes)-1].Rev
	page.Revision = last
	tpls, err := db.templatesOf(ctx, db.r, cond+` AND e.rev <= ? AND e.deleted = 0`, append(args, last)...)
	if err != nil {
		return page, err
	}
	for i := range page.Changes {
		c := &page.Changes[i]
		if c.Deleted {
			c.Employee, c.Templates = server.Employee{}, nil
			continue
		}
		c.Templates = tpls[c.NIP]
	}
	return page, nil
}
