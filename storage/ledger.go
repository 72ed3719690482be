package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrLedgerBroken: the event hash chain does not verify: an event was
// altered, removed or inserted outside the store.
var ErrLedgerBroken = errors.New("event ledger is broken")

// ledgerEntry is the ledger's row for one event, kept (as a tombstone)
// even after retention purges the event body, so the chain of hashes
// stays verifiable end to end.
type ledgerEntry struct {
	Purged     bool
	RecordedAt int64 // unix nanos, store clock
	Prev, Hash [32]byte
	Device, ID string
}

func (l *ledgerEntry) encode() []byte {
	w := enc{b: make([]byte, 0, 120)}
	var flags byte
	if l.Purged {
		flags = 1
	}
	w.u8(flags)
	w.i64(l.RecordedAt)
	w.raw(l.Prev[:])
	w.raw(l.Hash[:])
	w.str(l.Device)
	w.str(l.ID)
	return w.b
}

func decodeLedger(v []byte) (ledgerEntry, error) {
	d := dec{b: v}
	var l ledgerEntry
	l.Purged = d.u8()&1 != 0
	l.RecordedAt = d.i64()
	l.Prev = d.hash()
	l.Hash = d.hash()
	l.Device = d.str()
	l.ID = d.str()
	return l, d.err
}

// BrokenLink locates the first place the chain fails to verify.
type BrokenLink struct {
	Seq     uint64 `json:"seq"`
	EventID string `json:"event_id,omitempty"`
	Device  string `json:"device,omitempty"`
	Reason  string `json:"reason"`
}

// LedgerReport is the result of VerifyLedger.
type LedgerReport struct {
	Entries int               `json:"entries"` // ledger rows checked
	Purged  int               `json:"purged"`  // rows whose body retention removed
	Pending int               `json:"pending"` // events still in the outbox
	Heads   map[string]string `json:"heads"`   // device -> hex hash of its last event
	Broken  *BrokenLink       `json:"broken,omitempty"`
}

// VerifyLedger walks the whole ledger in order and recomputes every hash:
// each event's body must hash to its ledger hash, each row must name the
// previous row of its device, every event body and outbox entry must
// belong to a row, and the stored chain heads must be the last rows. It
// stops at the first broken link, returning the report and an error
// wrapping ErrLedgerBroken.
func (s *Store) VerifyLedger(ctx context.Context) (LedgerReport, error) {
	var rep LedgerReport
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		rep, err = verifyLedgerTx(ctx, tx)
		return err
	})
	return rep, err
}

func verifyLedgerTx(ctx context.Context, tx *bolt.Tx) (LedgerReport, error) {
	rep := LedgerReport{Heads: map[string]string{}}
	for _, b := range [][]byte{bktLedger, bktEvents, bktOutbox, bktChain} {
		if tx.Bucket(b) == nil {
			return rep, fmt.Errorf("%w: bucket %s missing", ErrLedgerBroken, b)
		}
	}
	heads := map[string][32]byte{}
	headSeq := map[string]uint64{}
	events := tx.Bucket(bktEvents)
	broken := func(seq uint64, id, device, format string, args ...any) (LedgerReport, error) {
		rep.Broken = &BrokenLink{Seq: seq, EventID: id, Device: device, Reason: fmt.Sprintf(format, args...)}
		return rep, fmt.Errorf("%w at seq %d (event %s): %s", ErrLedgerBroken, seq, id, rep.Broken.Reason)
	}
	live := 0
	c := tx.Bucket(bktLedger).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if rep.Entries%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
		}
		rep.Entries++
		if len(k) != 8 {
			return broken(0, "", "", "malformed ledger key %x", k)
		}
		seq := binary.BigEndian.Uint64(k)
		l, err := decodeLedger(v)
		if err != nil {
			return broken(seq, "", "", "ledger row unreadable: %v", err)
		}
		if l.Prev != heads[l.Device] {
			return broken(seq, l.ID, l.Device, "previous hash %s does not match the hash of the device's previous event (seq %d)", short(l.Prev), headSeq[l.Device])
		}
		if l.Purged {
			rep.Purged++
			if events.Get([]byte(l.ID)) != nil {
				return broken(seq, l.ID, l.Device, "event marked purged but its body is present")
			}
		} else {
			live++
			raw := events.Get([]byte(l.ID))
			if raw == nil {
				return broken(seq, l.ID, l.Device, "event body missing")
			}
			e, err := decodeEvent(raw)
			if err != nil {
				return broken(seq, l.ID, l.Device, "event body unreadable: %v", err)
			}
			switch {
			case e.Seq != seq || e.Device != l.Device || e.ID != l.ID:
				return broken(seq, l.ID, l.Device, "event body belongs to seq %d device %s id %s", e.Seq, e.Device, e.ID)
			case e.PrevHash != l.Prev:
				return broken(seq, l.ID, l.Device, "event body's previous hash differs from the ledger's")
			case EventHash(&e) != l.Hash || e.Hash != l.Hash:
				return broken(seq, l.ID, l.Device, "event content does not match its hash (altered)")
			}
		}
		heads[l.Device], headSeq[l.Device] = l.Hash, seq
	}
	if n := events.Stats().KeyN; n != live {
		return broken(0, "", "", "%d event bodies but %d live ledger rows (an event was added outside the ledger)", n, live)
	}
	err := tx.Bucket(bktChain).ForEach(func(k, v []byte) error {
		h, ok := heads[string(k)]
		if len(v) != 40 || !ok || !bytes.Equal(v[8:], h[:]) || binary.BigEndian.Uint64(v[:8]) != headSeq[string(k)] {
			rep.Broken = &BrokenLink{Device: string(k), Reason: "stored chain head is not the last ledger row (events removed from the end?)"}
			return fmt.Errorf("%w: device %s: %s", ErrLedgerBroken, k, rep.Broken.Reason)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if len(heads) != tx.Bucket(bktChain).Stats().KeyN {
		rep.Broken = &BrokenLink{Reason: "a device in the ledger has no stored chain head"}
		return rep, fmt.Errorf("%w: %s", ErrLedgerBroken, rep.Broken.Reason)
	}
	err = tx.Bucket(bktOutbox).ForEach(func(k, v []byte) error {
		rep.Pending++
		raw := events.Get(v)
		if raw == nil {
			rep.Broken = &BrokenLink{Seq: binary.BigEndian.Uint64(k), EventID: string(v), Reason: "outbox entry without event"}
			return fmt.Errorf("%w: outbox seq %d: %s", ErrLedgerBroken, rep.Broken.Seq, rep.Broken.Reason)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if v := tx.Bucket(bktMeta); v != nil && v.Get(keyOutboxLen) != nil && outboxLen(tx) != uint64(rep.Pending) {
		rep.Broken = &BrokenLink{Reason: fmt.Sprintf("the outbox holds %d entries but its count says %d (entries removed outside the store?)", rep.Pending, outboxLen(tx))}
		return rep, fmt.Errorf("%w: %s", ErrLedgerBroken, rep.Broken.Reason)
	}
	for d, h := range heads {
		rep.Heads[d] = hex.EncodeToString(h[:])
	}
	return rep, nil
}

func short(h [32]byte) string { return hex.EncodeToString(h[:6]) }

// scanBySeq reads events in seq order from the ledger or the outbox.
func (s *Store) scanBySeq(ctx context.Context, bucket []byte, after uint64, limit int) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	var out []Event
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			id := v
			if bytes.Equal(bucket, bktLedger) {
				l, err := decodeLedger(v)
				if err != nil {
					return fmt.Errorf("%w: %s: ledger seq %x: %v", ErrCorrupt, s.path, k, err)
				}
				if l.Purged {
					continue
				}
				id = []byte(l.ID)
			}
			e, err := s.getEvent(tx, string(id))
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
