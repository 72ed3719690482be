package storage

import (
	"testing"
	"time"
)

func TestStampClock(t *testing.T) {
	var a, b Event
	now := time.Date(2025, 3, 10, 7, 31, 0, 0, time.FixedZone("WIB", 7*3600))
	if err := StampClock(&a, now, "Asia/Jakarta"); err != nil {
		t.Fatal(err)
	}
	if err := StampClock(&b, now, "Asia/Jakarta"); err != nil {
		t.Fatal(err)
	}
	if len(a.BootID) != 36 || a.BootID != b.BootID {
		t.Fatalf("boot IDs %q %q, want one UUID", a.BootID, b.BootID)
	}
	if a.Monotonic <= 0 || b.Monotonic < a.Monotonic {
		t.Fatalf("monotonic %v then %v", a.Monotonic, b.Monotonic)
	}
	if !a.Time.Equal(now) || a.Time.Location() != time.UTC || a.Zone != "Asia/Jakarta" {
		t.Fatalf("time %v zone %q", a.Time, a.Zone)
	}
}
