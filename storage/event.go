package storage

import (
	"context"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/hadir-id/hadir/api"
	bolt "go.etcd.io/bbolt"
)

// EventKind says what an attendance event means.
type EventKind string

// Event kinds.
const (
	KindIn       EventKind = "in"       // arrival (check-in)
	KindOut      EventKind = "out"      // departure (check-out)
	KindSighting EventKind = "sighting" // recognised without an explicit in/out
	KindManual   EventKind = "manual"   // entered by an operator (fallback)
)

// SyncState is where an event is on its way to the server.
type SyncState byte

// Sync states. Only synced events are ever purged.
const (
	SyncPending  SyncState = 0 // in the outbox
	SyncSynced   SyncState = 1 // the server acknowledged it
	SyncRejected SyncState = 2 // the server refused it; kept with the reason
)

// String names the state for reports.
func (s SyncState) String() string {
	switch s {
	case SyncPending:
		return "pending"
	case SyncSynced:
		return "synced"
	case SyncRejected:
		return "rejected"
	}
	return fmt.Sprintf("SyncState(%d)", byte(s))
}

// Event is one attendance record. The fields down to Note are supplied by
// the kiosk; Device, Seq, RecordedAt, PrevHash and Hash are set by the
// store; the Sync fields change as the sync worker reports back. Hash
// covers everything except the Sync fields (api.EventHash). It has no
// JSON form of its own: Wire is what travels to the server.
type Event struct {
	ID            string        // client-generated ULID/UUID; NewID if empty
	Kind          EventKind     //
	NIP           string        // may be empty only for a sighting of an unknown face
	Time          time.Time     // device wall clock (stored UTC)
	Zone          string        // IANA zone of the kiosk, e.g. Asia/Jakarta
	Monotonic     time.Duration // monotonic clock reading (time since boot)
	BootID        string        // /proc/sys/kernel/random/boot_id at recording
	ClockOffset   time.Duration // last measured server time minus device time
	Distance      float64       // descriptor distance to the matched employee
	Margin        float64       // distance gap to the second-best identity
	Liveness      string        // liveness verdict, e.g. "blink-ok", "failed", "skipped"
	LivenessScore float64       // liveness model confidence, 0-1
	PhotoID       string        // evidence photo; set by the store when a photo is given
	Operator      string        // manual events entered by an operator: who
	Note          string        // manual events: why (e.g. the NIP + PIN fallback); a supervisor approves them on the server

	Device     string    // kiosk that recorded it (the hash chain it belongs to)
	Seq        uint64    // position in this store's ledger, from 1
	RecordedAt time.Time // store clock when it was committed
	PrevHash   Hash      // Hash of the device's previous event (zero for the first)
	Hash       Hash      // api.EventHash of the event

	Sync         SyncState
	SyncedAt     time.Time
	RejectReason string
}

// Wire is the event as the server receives it: the hashed fields only
// (the MAC is added by the sync client, which holds the device secret).
func (e *Event) Wire() api.Event {
	return api.Event{ID: e.ID, Kind: string(e.Kind), NIP: e.NIP, Time: e.Time, Zone: e.Zone, Monotonic: e.Monotonic,
		BootID: e.BootID, ClockOffset: e.ClockOffset, Distance: e.Distance, Margin: e.Margin, Liveness: e.Liveness,
		LivenessScore: e.LivenessScore, PhotoID: e.PhotoID, Operator: e.Operator, Note: e.Note, Device: e.Device,
		Seq: e.Seq, RecordedAt: e.RecordedAt, PrevHash: e.PrevHash, Hash: e.Hash}
}

// MarshalText writes the state's name, so JSON shows "pending".
func (s SyncState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state name written by MarshalText.
func (s *SyncState) UnmarshalText(b []byte) error {
	for _, v := range []SyncState{SyncPending, SyncSynced, SyncRejected} {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("%w: sync state %q", ErrInvalid, b)
}

// Hash is a SHA-256 event hash; it prints and marshals as hex.
type Hash = api.Hash

// Record is an event to record together with its evidence photo (JPEG,
// optional), which is encrypted and stored in the same transaction.
type Record struct {
	Event Event
	Photo []byte
}

const (
	appendFill   = 0.95
	eventFormat  = 1
	maxPhotoSize = 4 << 20
	maxTextLen   = api.MaxTextLen
)

// canonical appends the stored body of e: the bytes api.EventHash hashes
// after its label, so a record decodes to exactly what was hashed.
func canonical(b []byte, e *Event) []byte {
	w := enc{b: b}
	w.str(e.ID)
	w.str(string(e.Kind))
	w.str(e.NIP)
	w.i64(timeNanos(e.Time))
	w.str(e.Zone)
	w.i64(int64(e.Monotonic))
	w.str(e.BootID)
	w.i64(int64(e.ClockOffset))
	w.f64(e.Distance)
	w.f64(e.Margin)
	w.str(e.Liveness)
	w.f64(e.LivenessScore)
	w.str(e.PhotoID)
	w.str(e.Operator)
	w.str(e.Note)
	w.str(e.Device)
	w.u64(e.Seq)
	w.i64(timeNanos(e.RecordedAt))
	w.raw(e.PrevHash[:])
	return w.b
}

// EventHash computes the hash an event must carry: the contract's
// api.EventHash, which the server recomputes for every event it receives.
func EventHash(e *Event) Hash {
	w := e.Wire()
	return api.EventHash(&w)
}

// encodeEvent is the stored value: format byte, canonical body, hash,
// then the mutable sync fields.
func encodeEvent(e *Event) []byte {
	b := make([]byte, 1, 256)
	b[0] = eventFormat
	b = canonical(b, e)
	w := enc{b: append(b, e.Hash[:]...)}
	w.u8(byte(e.Sync))
	w.i64(timeNanos(e.SyncedAt))
	w.str(e.RejectReason)
	return w.b
}

func decodeEvent(v []byte) (Event, error) {
	var e Event
	if len(v) == 0 || v[0] != eventFormat {
		return e, fmt.Errorf("unknown event format")
	}
	d := dec{b: v[1:]}
	e.ID = d.str()
	e.Kind = EventKind(d.str())
	e.NIP = d.str()
	e.Time = d.time()
	e.Zone = d.str()
	e.Monotonic = time.Duration(d.i64())
	e.BootID = d.str()
	e.ClockOffset = time.Duration(d.i64())
	e.Distance = d.f64()
	e.Margin = d.f64()
	e.Liveness = d.str()
	e.LivenessScore = d.f64()
	e.PhotoID = d.str()
	e.Operator = d.str()
	e.Note = d.str()
	e.Device = d.str()
	e.Seq = d.u64()
	e.RecordedAt = d.time()
	e.PrevHash = d.hash()
	e.Hash = d.hash()
	e.Sync = SyncState(d.u8())
	e.SyncedAt = d.time()
	e.RejectReason = d.str()
	return e, d.err
}

// validateRecord checks a caller's event and photo before any write.
func validateRecord(r *Record, now time.Time) error {
	e := &r.Event
	if e.ID == "" {
		e.ID = NewID(now)
	}
	if !validID(e.ID) {
		return fmt.Errorf("%w: event ID %q (1-64 of [0-9A-Za-z_-])", ErrInvalid, e.ID)
	}
	switch e.Kind {
	case KindIn, KindOut, KindManual:
		if err := ValidateNIP(e.NIP); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		if e.Kind == KindManual && e.Operator == "" && e.Note == "" {
			return fmt.Errorf("%w: manual event %s says neither who entered it nor why", ErrInvalid, e.ID)
		}
	case KindSighting:
		if e.NIP != "" {
			if err := ValidateNIP(e.NIP); err != nil {
				return fmt.Errorf("event %s: %w", e.ID, err)
			}
		}
	default:
		return fmt.Errorf("%w: event %s: unknown kind %q", ErrInvalid, e.ID, e.Kind)
	}
	if e.Time.IsZero() {
		return fmt.Errorf("%w: event %s: device time missing", ErrInvalid, e.ID)
	}
	e.Time = e.Time.UTC()
	for _, f := range []float64{e.Distance, e.Margin, e.LivenessScore} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: event %s: non-finite score", ErrInvalid, e.ID)
		}
	}
	for _, s := range []string{e.Zone, e.BootID, e.Liveness, e.Operator, e.Note} {
		if len(s) > maxTextLen || !utf8.ValidString(s) {
			return fmt.Errorf("%w: event %s: text field longer than %d bytes or not UTF-8", ErrInvalid, e.ID, maxTextLen)
		}
	}
	if r.Photo != nil {
		if len(r.Photo) < 4 || r.Photo[0] != 0xFF || r.Photo[1] != 0xD8 {
			return fmt.Errorf("%w: event %s: evidence photo is not a JPEG", ErrInvalid, e.ID)
		}
		if len(r.Photo) > maxPhotoSize {
			return fmt.Errorf("%w: event %s: evidence photo is %d bytes, limit %d", ErrInvalid, e.ID, len(r.Photo), maxPhotoSize)
		}
	}
	return nil
}

// RecordEvent records one event (and its optional evidence photo) with
// its outbox entry in one transaction and returns after bbolt's fsync:
// once it returns nil the event survives a crash or power cut. An ID
// already recorded gives ErrDuplicate and records nothing, so a retry
// after an uncertain failure is safe.
func (s *Store) RecordEvent(ctx context.Context, e Event, photo []byte) (Event, error) {
	out, err := s.RecordEvents(ctx, []Record{{Event: e, Photo: photo}})
	if err != nil {
		return Event{}, err
	}
	return out[0], nil
}

// RecordEvents records several events in one durable transaction (one
// fsync for all): all of them or none.
func (s *Store) RecordEvents(ctx context.Context, recs []Record) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.opts.Now().UTC()
	recs = append([]Record(nil), recs...)
	seen := make(map[string]bool, len(recs))
	for i := range recs {
		if err := validateRecord(&recs[i], now); err != nil {
			return nil, err
		}
		if seen[recs[i].Event.ID] {
			return nil, fmt.Errorf("%w: event %s twice in one batch", ErrDuplicate, recs[i].Event.ID)
		}
		seen[recs[i].Event.ID] = true
	}
	out := make([]Event, len(recs))
	err := s.update(func(tx *bolt.Tx) error {
		for i := range recs {
			e, err := s.appendEvent(tx, &recs[i], now)
			if err != nil {
				return err
			}
			out[i] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// appendEvent links one event into the device's chain and writes the
// event, its ledger entry, its outbox entry, its photo and the new chain
// head, all in tx.
func (s *Store) appendEvent(tx *bolt.Tx, r *Record, now time.Time) (Event, error) {
	e := r.Event
	events := tx.Bucket(bktEvents)
	if events.Get([]byte(e.ID)) != nil {
		return Event{}, fmt.Errorf("%w: event %s", ErrDuplicate, e.ID)
	}
	ledger := tx.Bucket(bktLedger)
	// Ledger and outbox keys only grow and event IDs (ULIDs) mostly do:
	// fill pages instead of splitting them in half (bbolt's default),
	// which would double the size of the file.
	events.FillPercent, ledger.FillPercent = appendFill, appendFill
	seq, err := ledger.NextSequence()
	if err != nil {
		return Event{}, err
	}
	e.Device, e.Seq, e.RecordedAt = s.device, seq, now
	e.PhotoID = ""
	if r.Photo != nil {
		e.PhotoID = e.ID
		if err := s.putPhoto(tx, e.ID, e.NIP, r.Photo, now); err != nil {
			return Event{}, err
		}
	}
	chain := tx.Bucket(bktChain)
	if head := chain.Get([]byte(e.Device)); len(head) == 40 {
		copy(e.PrevHash[:], head[8:])
	}
	e.Hash = EventHash(&e)
	e.Sync, e.SyncedAt, e.RejectReason = SyncPending, time.Time{}, ""
	if err := events.Put([]byte(e.ID), encodeEvent(&e)); err != nil {
		return Event{}, err
	}
	le := ledgerEntry{ID: e.ID, Device: e.Device, RecordedAt: now.UnixNano(), Prev: e.PrevHash, Hash: e.Hash}
	if err := ledger.Put(seqKey(seq), le.encode()); err != nil {
		return Event{}, err
	}
	if err := addOutbox(tx, seq, e.ID, 1); err != nil {
		return Event{}, err
	}
	head := append(seqKey(seq), e.Hash[:]...)
	return e, chain.Put([]byte(e.Device), head)
}

// Event returns the event with this ID (ErrNotFound, also once purged).
func (s *Store) Event(ctx context.Context, id string) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	var e Event
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		e, err = s.getEvent(tx, id)
		return err
	})
	return e, err
}

func (s *Store) getEvent(tx *bolt.Tx, id string) (Event, error) {
	v := tx.Bucket(bktEvents).Get([]byte(id))
	if v == nil {
		return Event{}, fmt.Errorf("%w: event %s", ErrNotFound, id)
	}
	e, err := decodeEvent(v)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %s: event %s: %v", ErrCorrupt, s.path, id, err)
	}
	return e, nil
}

// Events returns up to limit events with Seq > after in ledger order
// (purged events are skipped); page with the last Seq returned.
func (s *Store) Events(ctx context.Context, after uint64, limit int) ([]Event, error) {
	return s.scanBySeq(ctx, bktLedger, after, limit)
}
