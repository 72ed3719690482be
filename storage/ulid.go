package storage

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a ULID: 48 bits of milliseconds since the epoch and 80
// random bits, as 26 Crockford base-32 characters. IDs sort by creation
// time and are unique without coordination, so a kiosk can name an event
// before the server has seen it and the server can de-duplicate on it.
// Within one process IDs strictly increase (the ULID "monotonic" rule:
// in the same or an earlier millisecond the previous random part is
// incremented), so new records append to the end of bbolt's B+tree.
func NewID(t time.Time) string {
	idMu.Lock()
	defer idMu.Unlock()
	var b [16]byte
	ms := uint64(t.UnixMilli())
	if ms <= idLastMS && idLastMS != 0 {
		ms = idLastMS
		b = idLast
		for i := 15; i >= 6; i-- { // increment the 80-bit random part
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	} else {
		binary.BigEndian.PutUint64(b[0:8], ms<<16)
		if _, err := rand.Read(b[6:]); err != nil {
			panic("storage: crypto/rand failed: " + err.Error())
		}
		b[6] &= 0x7f // headroom so increments never overflow into the time
	}
	idLastMS, idLast = ms, b
	return encodeULID(b)
}

var (
	idMu     sync.Mutex
	idLastMS uint64
	idLast   [16]byte
)

func encodeULID(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	var out [26]byte
	// 128 bits in 26 characters: the first character carries 3 bits.
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// validID reports whether id is usable as a record key: 1-64 characters
// from [0-9A-Za-z_-]. Client-generated IDs (ULID or UUID) fit.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
