package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// enc builds the canonical byte encodings used for hashing and storing
// events: fixed-width big-endian integers and IEEE-754 float bits,
// strings as uvarint length then bytes. It is deliberately not JSON or
// gob: the hash must not depend on a library's formatting choices.
type enc struct{ b []byte }

func (e *enc) u8(v byte)    { e.b = append(e.b, v) }
func (e *enc) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *enc) i64(v int64)  { e.u64(uint64(v)) }
func (e *enc) f64(v float64) {
	e.u64(math.Float64bits(v))
}
func (e *enc) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) raw(p []byte) { e.b = append(e.b, p...) }

// timeNanos encodes a time as Unix nanoseconds; the zero time is 0 so it
// round-trips as the zero time.
func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func nanosTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

var errShort = errors.New("record truncated")

// dec reads what enc wrote; the first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) take(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.err = errShort
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}
func (d *dec) u8() byte        { return d.take(1)[0] }
func (d *dec) u64() uint64     { return binary.BigEndian.Uint64(d.take(8)) }
func (d *dec) i64() int64      { return int64(d.u64()) }
func (d *dec) f64() float64    { return math.Float64frombits(d.u64()) }
func (d *dec) time() time.Time { return nanosTime(d.i64()) }
func (d *dec) str() string {
	if d.err != nil {
		return ""
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.err = errShort
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}
func (d *dec) hash() (h [32]byte) {
	copy(h[:], d.take(32))
	return h
}
