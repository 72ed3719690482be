package api

import (
	"errors"
	"math"
	"testing"
	"time"
)

// The golden hashes were computed by storage.EventHash before the
// function moved here: kiosk stores written since then must still verify.
func TestEventHashGolden(t *testing.T) {
	e := Event{ID: "01JGOLDEN0000000000000000", Kind: KindIn, NIP: "198501012010011001", Time: time.Unix(0, 1764570000123456789).UTC(),
		Zone: "Asia/Jakarta", Monotonic: 123456789, BootID: "boot", ClockOffset: -1500000, Distance: 0.31, Margin: 0.12,
		Liveness: "blink-ok", LivenessScore: 0.97, PhotoID: "p", Operator: "op", Note: "n", Device: "K1", Seq: 7,
		RecordedAt: time.Unix(0, 1764570000999).UTC(), PrevHash: Hash{1, 2, 3}}
	if got := EventHash(&e).String(); got != "1a08132c8a54312c1a39ef53434b16ab48d959170d18d4f0d63040d9423ef18c" {
		t.Errorf("full event hash %s", got)
	}
	z := Event{ID: "x", Kind: KindSighting, Device: "K", Seq: 1}
	if got := EventHash(&z).String(); got != "48088355d0243e84a280c4018f609b07150acb0a97605e6c82504420312c6f1d" {
		t.Errorf("zero-time event hash %s", got)
	}
}

func TestCheckEvent(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	e := Event{ID: "A", Kind: KindIn, NIP: "198501012010011001", Time: time.Now(), Device: "K", Seq: 1}
	e.Hash = EventHash(&e)
	e.MAC = EventMAC(secret, e.Hash)
	if r := CheckEvent(secret, &e); r != "" {
		t.Fatalf("genuine event: %s", r)
	}
	forged := e
	forged.NIP = "198501012010011002"
	if r := CheckEvent(secret, &forged); r != ReasonBadHash {
		t.Errorf("altered content: %q", r)
	}
	forged.Hash = EventHash(&forged) // consistently re-hashed, no secret
	if r := CheckEvent(secret, &forged); r != ReasonBadMAC {
		t.Errorf("re-hashed forgery: %q", r)
	}
	forged.MAC = EventMAC([]byte("another device's secret........."), forged.Hash)
	if r := CheckEvent(secret, &forged); r != ReasonBadMAC {
		t.Errorf("forgery MACed with another secret: %q", r)
	}
}

func TestDescriptorCodec(t *testing.T) {
	var d [DescriptorLen]float32
	for i := range d {
		d[i] = float32(i) / 7
	}
	back, err := DecodeDescriptor(EncodeDescriptor(&d))
	if err != nil || back != d {
		t.Fatalf("round trip: %v", err)
	}
	d[5] = float32(math.NaN())
	if _, err := DecodeDescriptor(EncodeDescriptor(&d)); !errors.Is(err, ErrBadDescriptor) {
		t.Errorf("NaN accepted: %v", err)
	}
	for _, s := range []string{"", "AAAA", "!!!"} {
		if _, err := DecodeDescriptor(s); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("%q accepted: %v", s, err)
		}
	}
}

func TestHashText(t *testing.T) {
	var h Hash
	if err := h.UnmarshalText([]byte("zz")); !errors.Is(err, ErrBadHash) {
		t.Errorf("short hash: %v", err)
	}
	want := Hash{0xab}
	b, _ := want.MarshalText()
	if err := h.UnmarshalText(b); err != nil || h != want {
		t.Errorf("round trip %v %v", h, err)
	}
}
