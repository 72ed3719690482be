package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/clock"
)

// newClock is the store's clock in tests (internal/clock, the one clock
// type of the kiosk), moved by hand.
func newClock() *clock.Manual {
	return clock.NewManual(time.Date(2025, 3, 10, 0, 30, 0, 0, time.UTC))
}

// testKey is a fixed key so tests can reopen stores.
var testKey = bytes.Repeat([]byte{0x42}, KeySize)

// fastArgon keeps operator tests quick; production uses DefaultArgon2.
var fastArgon = Argon2Params{Time: 1, Memory: 1024, Threads: 1}

func testOptions(c *clock.Manual) Options {
	o := DefaultOptions()
	o.Key = testKey
	o.Now = c.Now
	o.Argon2 = fastArgon
	o.DeviceID = "KIOSK-TEST-1"
	return o
}

// openTest opens a store in a fresh temp dir, closed at cleanup.
func openTest(t *testing.T) (*Store, *clock.Manual, string) {
	t.Helper()
	c := newClock()
	dir := t.TempDir()
	s, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, c, dir
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dbPath(dir string) string { return filepath.Join(dir, DBFile) }

// validNIP returns a well-formed NIP whose serial is n (1-999) and whose
// birth day varies with n/999, so thousands of distinct NIPs exist.
func validNIP(n int) string {
	day := 1 + (n/999)%28
	month := 1 + (n/(999*28))%12
	serial := 1 + n%999
	return "1985" + two(month) + two(day) + "201001" + "1" + three(serial)
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }
func three(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func descriptor(seed float32) [DescriptorLen]float32 {
	var d [DescriptorLen]float32
	for i := range d {
		d[i] = seed + float32(i)*0.001
	}
	return d
}

func mustEmployee(t testing.TB, s *Store, nip, name string) Employee {
	t.Helper()
	e, err := s.PutEmployee(context.Background(), Employee{NIP: nip, Name: name, Unit: "BKPSDM"})
	if err != nil {
		t.Fatalf("PutEmployee %s: %v", nip, err)
	}
	return e
}

func mathFloat32bits(f float32) uint32 { return math.Float32bits(f) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// recordEvents records n sample events (0..n-1) stamped now and returns
// their IDs in order.
func recordEvents(t *testing.T, s *Store, c *clock.Manual, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		e, err := s.RecordEvent(context.Background(), sampleEvent(i, c.Now()), nil)
		if err != nil {
			t.Fatalf("record event %d: %v", i, err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}
