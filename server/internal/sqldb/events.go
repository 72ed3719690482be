package sqldb

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

const eventCols = `id, device, seq, kind, nip, time_ns, zone, monotonic_ns, boot_id, clock_offset_ns,
	distance, margin, liveness, liveness_score, photo_id, operator, note, recorded_ns, prev_hash, hash,
	received_ns, approval, approved_by, approved_ns, corrected_ns, clock_flag, held, held_note, review,
	reviewed_by, reviewed_ns`

const eventColCount = 31

func eventArgs(args []any, e *server.Event) []any {
	return append(args, e.ID, e.Device, int64(e.Seq), e.Kind, e.NIP, ns(e.Time), e.Zone, int64(e.Monotonic),
		e.BootID, int64(e.ClockOffset), e.Distance, e.Margin, e.Liveness, e.LivenessScore, e.PhotoID,
		e.Operator, e.Note, ns(e.RecordedAt), e.PrevHash[:], e.Hash[:], ns(e.ReceivedAt), e.Approval,
		e.ApprovedBy, ns(e.ApprovedAt), ns(e.CorrectedTime), b2i(e.ClockFlagged), e.Held, e.HeldNote, e.Review,
		e.ReviewedBy, ns(e.ReviewedAt))
}

func scanEvent(sc interface{ Scan(...any) error }) (server.Event, error) {
	var e server.Event
	var t, mono, off, rec, recv, appr, corr, revd int64
	var flag int
	var prev, hash []byte
	err := sc.Scan(&e.ID, &e.Device, &e.Seq, &e.Kind, &e.NIP, &t, &e.Zone, &mono, &e.BootID, &off,
		&e.Distance, &e.Margin, &e.Liveness, &e.LivenessScore, &e.PhotoID, &e.Operator, &e.Note, &rec,
		&prev, &hash, &recv, &e.Approval, &e.ApprovedBy, &appr, &corr, &flag, &e.Held, &e.HeldNote, &e.Review,
		&e.ReviewedBy, &revd)
	if err != nil {
		return e, err
	}
	e.Time, e.RecordedAt, e.ReceivedAt, e.ApprovedAt = fromNS(t), fromNS(rec), fromNS(recv), fromNS(appr)
	e.CorrectedTime, e.ReviewedAt, e.ClockFlagged = fromNS(corr), fromNS(revd), flag != 0
	e.Monotonic, e.ClockOffset = time.Duration(mono), time.Duration(off)
	copy(e.PrevHash[:], prev)
	copy(e.Hash[:], hash)
	return e, nil
}

// ingestOne ingests one kiosk batch inside tx: it locks the device row
// (so two batches of one kiosk check the chain one after the other, in
// any process), keeps aside events whose NIP was not in the device's
// units at the event's time, inserts new events with ON CONFLICT DO
// NOTHING on (device, id) (a re-sent event is a duplicate, the same id
// with other content a conflict, never a copy), then checks the chain
// around what was inserted.
func (db *DB) ingestOne(ctx context.Context, tx *sql.Tx, full *sql.Stmt, deviceID string, events []server.Event, now time.Time) (server.IngestResult, error) {
	res := server.IngestResult{Duplicate: make([]bool, len(events)), Conflict: make([]bool, len(events)),
		Held: make([]string, len(events)), Chain: server.ChainReport{OK: true}}
	var ch server.DeviceChain
	var units string
	var newest int64
	err := tx.QueryRowContext(ctx, db.q(`SELECT chain_head, chain_breaks, chain_broken_at, chain_message, units, newest_ns FROM devices WHERE id = ?`+db.d.ForUpdate), deviceID).
		Scan(&ch.HeadSeq, &ch.Breaks, &ch.BrokenAt, &ch.Message, &units, &newest)
	if errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("device %q: %w", deviceID, server.ErrNotFound)
	}
	if err != nil {
		return res, fmt.Errorf("lock device %q: %w", deviceID, err)
	}
	// First occurrence of each id in the batch is a candidate; a
	// repeat inside the batch is a duplicate (same hash) or a conflict.
	first := make(map[string]int, len(events))
	var cand []int
	for i := range events {
		if j, seen := first[events[i].ID]; seen {
			res.Duplicate[i], res.Conflict[i] = events[j].Hash == events[i].Hash, events[j].Hash != events[i].Hash
			continue
		}
		first[events[i].ID] = i
		e := &events[i]
		e.ReceivedAt, e.Approval, e.ApprovedBy, e.ApprovedAt = now, server.ApprovalNone, "", time.Time{}
		e.Review, e.ReviewedBy, e.ReviewedAt = "", "", time.Time{}
		if e.Kind == server.KindManual {
			e.Approval = server.ApprovalPending
		}
		cand = append(cand, i)
	}
	if err := db.holdByUnit(ctx, tx, decodeUnits(units), events, cand); err != nil {
		return res, err
	}
	inserted, err := db.insertEvents(ctx, tx, full, events, cand)
	if err != nil {
		return res, err
	}
	var fresh []*server.Event
	var again []int
	for _, i := range cand {
		if !inserted[events[i].ID] {
			again = append(again, i)
		} else {
			fresh = append(fresh, &events[i])
			res.Held[i] = events[i].Held
			newest = max(newest, ns(events[i].Time))
		}
	}
	if err := db.sortRepeats(ctx, tx, deviceID, events, again, &res); err != nil {
		return res, err
	}
	if len(fresh) == 0 {
		_, err := tx.ExecContext(ctx, db.q(`UPDATE devices SET last_seen_ns = ? WHERE id = ?`), now.UnixNano(), deviceID)
		return res, err
	}
	res.Chain, err = db.checkChain(ctx, tx, deviceID, fresh)
	if err != nil {
		return res, err
	}
	for _, e := range fresh {
		ch.HeadSeq = max(ch.HeadSeq, e.Seq)
	}
	if !res.Chain.OK {
		ch.Breaks++
		if ch.BrokenAt == 0 {
			ch.BrokenAt, ch.Message = res.Chain.BrokenAtSeq, res.Chain.Message
		}
	}
	_, err = tx.ExecContext(ctx, db.q(`UPDATE devices SET chain_head = ?, chain_breaks = ?, chain_broken_at = ?, chain_message = ?, last_seen_ns = ?, newest_ns = ? WHERE id = ?`),
		int64(ch.HeadSeq), ch.Breaks, int64(ch.BrokenAt), ch.Message, now.UnixNano(), newest, deviceID)
	if err != nil {
		return res, fmt.Errorf("update chain of %q: %w", deviceID, err)
	}
	return res, nil
}

// sortRepeats tells, for events whose (device, id) was already stored,
// a duplicate (same hash: a re-send) from a conflict (other content).
func (db *DB) sortRepeats(ctx context.Context, tx *sql.Tx, deviceID string, events []server.Event, idx []int, res *server.IngestResult) error {
	for _, i := range idx {
		var h []byte
		err := tx.QueryRowContext(ctx, db.q(`SELECT hash FROM events WHERE device = ? AND id = ?`), deviceID, events[i].ID).Scan(&h)
		if err != nil {
			return fmt.Errorf("read stored event %s of %q: %w", events[i].ID, deviceID, err)
		}
		same := bytes.Equal(h, events[i].Hash[:])
		res.Duplicate[i], res.Conflict[i] = same, !same
	}
	return nil
}

// insertSQL is the statement inserting n events, answering the ids
// actually inserted (a stored (device, id) is left alone).
func insertSQL(n int) string {
	row := "(" + placeholders(eventColCount) + ")"
	return `INSERT INTO events (` + eventCols + `) VALUES ` + strings.Repeat(row+",", n-1) + row +
		` ON CONFLICT (device, id) DO NOTHING RETURNING id`
}

// insertEvents inserts events[idx] in multi-row statements (full chunks
// through full, prepared once; a last partial chunk prepared for this
// use) and returns the ids actually inserted (the others were already
// stored).
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, full *sql.Stmt, events []server.Event, idx []int) (map[string]bool, error) {
	inserted := make(map[string]bool, len(idx))
	chunk := db.insertChunk()
	args := make([]any, 0, chunk*eventColCount)
	for start := 0; start < len(idx); start += chunk {
		part := idx[start:min(start+chunk, len(idx))]
		args = args[:0]
		for _, i := range part {
			args = eventArgs(args, &events[i])
		}
		var rows *sql.Rows
		var err error
		if len(part) == chunk {
			rows, err = tx.StmtContext(ctx, full).QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, db.q(insertSQL(len(part))), args...)
		}
		if err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert events: %w", err)
			}
			inserted[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
	}
	return inserted, nil
}

// insertChunk is the number of events per multi-row INSERT.
func (db *DB) insertChunk() int { return max(1, db.d.InsertChunk) }

type link struct {
	id         string
	prev, hash []byte
}

// checkChain verifies each fresh event against its neighbours as stored
// (including the ones just inserted): seq-1 must exist (else a gap) and
// its hash must be the event's prev_hash; a stored seq+1 must point back
// to the event's hash; a second event at the same seq is a fork. It
// reports the lowest broken seq.
func (db *DB) checkChain(ctx context.Context, tx *sql.Tx, deviceID string, fresh []*server.Event) (server.ChainReport, error) {
	need := make(map[uint64]bool, 3*len(fresh))
	for _, e := range fresh {
		for _, s := range []uint64{e.Seq - 1, e.Seq, e.Seq + 1} {
			if s > 0 {
				need[s] = true
			}
		}
	}
	known, err := db.readLinks(ctx, tx, deviceID, need)
	if err != nil {
		return server.ChainReport{}, err
	}
	rep := server.ChainReport{OK: true}
	flag := func(seq uint64, msg string) {
		if rep.OK || seq < rep.BrokenAtSeq {
			rep = server.ChainReport{OK: false, BrokenAtSeq: seq, Message: msg}
		}
	}
	sorted := slices.Clone(fresh)
	slices.SortFunc(sorted, func(a, b *server.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, e := range sorted {
		for _, other := range known[e.Seq] {
			if other.id != e.ID && !bytes.Equal(other.hash, e.Hash[:]) {
				flag(e.Seq, fmt.Sprintf("fork: events %s and %s both claim seq %d", other.id, e.ID, e.Seq))
			}
		}
		if e.Seq > 1 {
			prev := known[e.Seq-1]
			switch {
			case len(prev) == 0:
				flag(e.Seq, fmt.Sprintf("gap: seq %d arrived but seq %d was never received", e.Seq, e.Seq-1))
			case !slices.ContainsFunc(prev, func(l link) bool { return bytes.Equal(l.hash, e.PrevHash[:]) }):
				flag(e.Seq, fmt.Sprintf("prev_hash of seq %d (event %s) does not match the hash of seq %d", e.Seq, e.ID, e.Seq-1))
			}
		} else if !e.PrevHash.IsZero() {
			flag(e.Seq, fmt.Sprintf("seq 1 (event %s) has a non-zero prev_hash", e.ID))
		}
		for _, next := range known[e.Seq+1] {
			if !bytes.Equal(next.prev, e.Hash[:]) && !isFresh(fresh, next.id) {
				flag(e.Seq+1, fmt.Sprintf("stored seq %d (event %s) does not point to seq %d (event %s)", e.Seq+1, next.id, e.Seq, e.ID))
			}
		}
	}
	return rep, nil
}

// readLinks reads the stored events of deviceID at the seqs in need. A
// batch's seqs are usually consecutive: then one range scan of
// events_device_seq reads them (a third of the index probes that asking
// for each seq costs); scattered seqs are asked for in lists.
func (db *DB) readLinks(ctx context.Context, tx *sql.Tx, deviceID string, need map[uint64]bool) (map[uint64][]link, error) {
	known := make(map[uint64][]link, len(need))
	read := func(query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, db.q(query), args...)
		if err != nil {
			return fmt.Errorf("read chain of %q: %w", deviceID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var s uint64
			var l link
			if err := rows.Scan(&s, &l.id, &l.prev, &l.hash); err != nil {
				return fmt.Errorf("read chain of %q: %w", deviceID, err)
			}
			if need[s] {
				known[s] = append(known[s], l)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read chain of %q: %w", deviceID, err)
		}
		return nil
	}
	const sel = `SELECT seq, id, prev_hash, hash FROM events WHERE device = ? AND `
	lo, hi := uint64(math.MaxUint64), uint64(0)
	for s := range need {
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi-lo < uint64(2*len(need)) {
		return known, read(sel+`seq BETWEEN ? AND ?`, deviceID, int64(lo), int64(hi))
	}
	seqs := make([]any, 0, len(need))
	for s := range need {
		seqs = append(seqs, int64(s))
	}
	for start := 0; start < len(seqs); start += 900 {
		part := seqs[start:min(start+900, len(seqs))]
		if err := read(sel+`seq IN (`+placeholders(len(part))+`)`, append([]any{deviceID}, part...)...); err != nil {
			return nil, err
		}
	}
	return known, nil
}

func isFresh(fresh []*server.Event, id string) bool {
	return slices.ContainsFunc(fresh, func(e *server.Event) bool { return e.ID == id })
}

// Events implements server.Store.
func (db *DB) Events(ctx context.Context, f server.EventFilter) ([]server.Event, error) {
	var where []string
	var args []any
	from := `events e`
	if f.Unit != "" {
		from = `events e JOIN employees p ON p.nip = e.nip`
		where = append(where, `p.unit = ?`)
		args = append(args, f.Unit)
	}
	if f.ID != "" {
		where = append(where, `e.id = ?`)
		args = append(args, f.ID)
	}
	if f.Device != "" {
		where = append(where, `e.device = ?`)
		args = append(args, f.Device)
	}
	switch f.Scope {
	case server.ScopeCounted: // kept-aside events count only once released
		where = append(where, `(e.held = '' OR e.review = 'released')`)
	case server.ScopeHeld:
		where = append(where, `e.held <> ''`)
	}
	if f.NIP != "" {
		where = append(where, `e.nip = ?`)
		args = append(args, f.NIP)
	}
	if !f.From.IsZero() {
		where = append(where, `e.time_ns >= ?`)
		args = append(args, f.From.UnixNano())
	}
	if !f.To.IsZero() {
		where = append(where, `e.time_ns < ?`)
		args = append(args, f.To.UnixNano())
	}
	if len(f.Kinds) > 0 {
		where = append(where, `e.kind IN (`+placeholders(len(f.Kinds))+`)`)
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.Approval != "" {
		where = append(where, `e.approval = ?`)
		args = append(args, f.Approval)
	}
	q := `SELECT ` + prefixed("e.", eventCols) + ` FROM ` + from
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY e.time_ns, e.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []server.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// prefixed qualifies a column list with a table alias.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
