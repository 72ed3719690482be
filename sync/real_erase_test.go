package sync

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// The erasure promise end to end: the kiosk that enrolled a person (and
// so holds their templates, enrollment photo and fallback PIN) syncs a
// deletion ordered on the server, and afterwards the bbolt file itself,
// read without the store, names that person nowhere but in the attendance
// record and the audit log, which the law requires to be kept. The other
// person enrolled alongside keeps everything.
func TestRealServerErasureLeavesNothingOnKiosk(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	srv := startServer(t)
	ctx := storage.WithActor(context.Background(), "operator")
	dir := t.TempDir()
	s := openStore(t, dir)
	w := newWorker(t, s, recognition.NewGallery(), testOptions(t, srv.url))
	registerKiosk(t, w, srv, srv.url)

	gone, kept := nip(1), nip(2)
	for i, n := range []string{gone, kept} {
		_, _, err := s.Enroll(ctx, storage.Enrollment{
			Employee:  storage.Employee{NIP: n, Name: "Pegawai", Unit: "DINKES"},
			Templates: []storage.Template{{Descriptor: fixture.Face(i + 1)}, {Descriptor: nearFace(i+1, 0.1)}},
			Photo:     jpegLike(4 << 10),
			PIN:       "739155",
		})
		if err != nil {
			t.Fatalf("enroll %s: %v", n, err)
		}
		if err := w.PushEnrollment(ctx, n); err != nil {
			t.Fatalf("push enrollment %s: %v", n, err)
		}
	}
	ev := sampleEvent(0, time.Now())
	ev.NIP = gone
	rec, err := s.RecordEvent(ctx, ev, jpegLike(2<<10))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Before: the file holds the person in every biometric bucket, so the
	// scan below can see what it looks for. The kiosk restarts to let it
	// read the file.
	s.Close()
	want := []string{"employee_pins", "employees", "enroll_photos", "templates"}
	for n, w := range map[string][]string{gone: append(slices.Clone(want), "photo_age"), kept: want} {
		slices.Sort(w)
		if got := tracesOf(t, dir, n); !slices.Equal(got, w) {
			t.Fatalf("before erasure %s is in %v, want %v", n, got, w)
		}
	}

	srv.cli("", "employee", "delete", gone)
	s = openStore(t, dir)
	g := recognition.NewGallery() // as the kiosk loads it at start
	if err := s.ForEachTemplate(ctx, func(tp storage.Template) error {
		g.Add(tp.NIP, recognition.Descriptor(tp.Descriptor))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w = newWorker(t, s, g, testOptions(t, srv.url))
	if err := w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if g.Has(gone) || !g.Has(kept) {
		t.Fatalf("live gallery after erasure: has %s %v, has %s %v", gone, g.Has(gone), kept, g.Has(kept))
	}
	if _, err := s.VerifyEmployeePIN(ctx, gone, "739155"); err == nil {
		t.Error("the erased person's PIN still opens the fallback")
	}
	if _, err := s.EnrollPhoto(ctx, gone); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("enrollment photo after erasure: %v", err)
	}
	if _, err := s.Photo(ctx, rec.PhotoID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("evidence photo after erasure: %v", err)
	}
	if _, err := s.Event(ctx, rec.ID); err != nil {
		t.Errorf("the attendance event must stay: %v", err)
	}
	s.Close()
	if got := tracesOf(t, dir, gone); len(got) != 0 {
		t.Errorf("after erasure the kiosk file still names %s in %v", gone, got)
	}
	if got := tracesOf(t, dir, kept); !slices.Equal(got, want) {
		t.Errorf("the other person is now only in %v, want %v", got, want)
	}
}

// tracesOf reads the kiosk's bbolt file directly and lists, sorted, the
// buckets with a key or value containing nip, leaving out those that
// must keep it (attendance events, their ledger and outbox, the audit
// log).
func tracesOf(t *testing.T, dir, nip string) []string {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, storage.DBFile), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open kiosk file: %v", err)
	}
	defer db.Close()
	var found []string
	needle := []byte(nip)
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			switch string(name) {
			case "events", "ledger", "outbox", "audit":
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				if (bytes.Contains(k, needle) || bytes.Contains(v, needle)) && !slices.Contains(found, string(name)) {
					found = append(found, string(name))
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(found)
	return found
}

// jpegLike is n bytes that start and end as a JPEG does.
func jpegLike(n int) []byte {
	b := make([]byte, n)
	copy(b, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	copy(b[n-2:], []byte{0xFF, 0xD9})
	return b
}
