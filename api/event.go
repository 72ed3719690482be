package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// Event kinds.
const (
	KindIn       = "in"       // arrival (check-in)
	KindOut      = "out"      // departure (check-out)
	KindSighting = "sighting" // recognised without an explicit in/out (CCTV)
	KindManual   = "manual"   // NIP + PIN fallback, approved on the server
)

// Event is one attendance record as it travels from kiosk to server: the
// fields the kiosk's hash covers, then the MAC. Kiosk-only state (sync
// state, rejection reason) and server-owned fields (receipt time,
// approval) are not part of it, so a kiosk cannot set them.
type Event struct {
	ID            string        `json:"id"`
	Kind          string        `json:"kind"`
	NIP           string        `json:"nip,omitempty"`
	Time          time.Time     `json:"time"` // device wall clock
	Zone          string        `json:"zone,omitempty"`
	Monotonic     time.Duration `json:"monotonic_ns"`
	BootID        string        `json:"boot_id,omitempty"`
	ClockOffset   time.Duration `json:"clock_offset_ns"` // server time minus device time, last measured
	Distance      float64       `json:"distance"`
	Margin        float64       `json:"margin"`
	Liveness      string        `json:"liveness,omitempty"`
	LivenessScore float64       `json:"liveness_score"`
	PhotoID       string        `json:"photo_id,omitempty"`
	Operator      string        `json:"operator,omitempty"`
	Note          string        `json:"note,omitempty"`
	Device        string        `json:"device"`
	Seq           uint64        `json:"seq"`
	RecordedAt    time.Time     `json:"recorded_at"`
	PrevHash      Hash          `json:"prev_hash"`
	Hash          Hash          `json:"hash"`
	// MAC authenticates Hash with the device secret (EventMAC); zero
	// from a kiosk without a secret, which the server refuses.
	MAC Hash `json:"mac,omitzero"`
}

// Hash is a SHA-256 event hash (or MAC); hex in JSON.
type Hash [32]byte

// ErrBadHash: a hash that is not 64 hex characters.
var ErrBadHash = errors.New("bad hash")

// String returns the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports the all-zero hash (the prev_hash of a chain's first event).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText writes the hash in hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads 64 hex characters.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("%w: must be 64 hex characters, got %d", ErrBadHash, len(b))
	}
	if _, err := hex.Decode(h[:], b); err != nil {
		return fmt.Errorf("%w: not hex: %v", ErrBadHash, err)
	}
	return nil
}

// eventHashLabel starts every hashed encoding, versioning the format.
const eventHashLabel = "hadir-event-v1"

// eventMACLabel starts every MAC input, so a MAC can never be mistaken
// for an event hash.
const eventMACLabel = "hadir-event-mac-v1"

// EventHash is the hash an event must carry: SHA-256 over a label and the
// canonical encoding of every field except Hash and MAC, in declaration
// order (strings as uvarint length + bytes, integers and float bits as
// big-endian 8 bytes, times as Unix nanoseconds with 0 for the zero
// time, the previous hash as 32 raw bytes). Kiosk stores written before
// this package hash the same bytes, so their ledgers still verify.
func EventHash(e *Event) Hash {
	b := make([]byte, 0, 256)
	b = append(b, eventHashLabel...)
	return sha256.Sum256(canonical(b, e))
}

// EventMAC authenticates an event hash with the device's secret (hash
// then MAC): HMAC-SHA256(secret, label || hash). The server recomputes
// the hash from the content and then this MAC, so only the holder of the
// secret can present a chain, however consistently it is hashed.
func EventMAC(secret []byte, h Hash) Hash {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(eventMACLabel))
	m.Write(h[:])
	var out Hash
	copy(out[:], m.Sum(nil))
	return out
}

// CheckEvent recomputes e's hash and MAC; it returns "" when both match,
// else the reason code (ReasonBadHash or ReasonBadMAC).
func CheckEvent(secret []byte, e *Event) string {
	if EventHash(e) != e.Hash {
		return ReasonBadHash
	}
	if want := EventMAC(secret, e.Hash); !hmac.Equal(want[:], e.MAC[:]) {
		return ReasonBadMAC
	}
	return ""
}

func canonical(b []byte, e *Event) []byte {
	b = appendStr(b, e.ID)
	b = appendStr(b, e.Kind)
	b = appendStr(b, e.NIP)
	b = appendI64(b, timeNanos(e.Time))
	b = appendStr(b, e.Zone)
	b = appendI64(b, int64(e.Monotonic))
	b = appendStr(b, e.BootID)
	b = appendI64(b, int64(e.ClockOffset))
	b = appendF64(b, e.Distance)
	b = appendF64(b, e.Margin)
	b = appendStr(b, e.Liveness)
	b = appendF64(b, e.LivenessScore)
	b = appendStr(b, e.PhotoID)
	b = appendStr(b, e.Operator)
	b = appendStr(b, e.Note)
	b = appendStr(b, e.Device)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = appendI64(b, timeNanos(e.RecordedAt))
	return append(b, e.PrevHash[:]...)
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendI64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func appendF64(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}

// timeNanos encodes a time as Unix nanoseconds, 0 for the zero time.
func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
