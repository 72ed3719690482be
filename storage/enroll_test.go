package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// enrollmentOf is a full enrollment of person i: 5 templates, a photo and
// a PIN.
func enrollmentOf(i int) Enrollment {
	en := Enrollment{Employee: Employee{NIP: validNIP(i), Name: fmt.Sprintf("Pegawai %d", i), Unit: "BKPSDM"},
		Photo: fakeJPEG(24 << 10), PIN: "246810"}
	for j := 0; j < 5; j++ {
		en.Templates = append(en.Templates, Template{Descriptor: descriptor(float32(i*10 + j))})
	}
	return en
}

// childEnroll enrolls people as fast as it can, printing each NIP only
// after Enroll returned.
func childEnroll(dir string, opts Options) error {
	opts.Argon2 = fastArgon
	s, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	for i := 1; i < 100_000; i++ {
		if _, _, err := s.Enroll(context.Background(), enrollmentOf(i)); err != nil {
			return err
		}
		if _, err := io.WriteString(os.Stdout, validNIP(i)+"\n"); err != nil {
			return err
		}
	}
	return errors.New("enrolled 100000 people without being stopped")
}

// held is what the store holds of one person, read straight from the
// buckets.
type held struct{ employee, templates, photo, pin int }

func (h held) none() bool { return h == held{} }
func (h held) all() bool  { return h == held{1, 5, 1, 1} }

func holding(tx *bolt.Tx, nip string) held {
	var h held
	if tx.Bucket(bktEmployees).Get([]byte(nip)) != nil {
		h.employee = 1
	}
	c := tx.Bucket(bktTemplates).Cursor()
	for k, _ := c.Seek([]byte(nip + "/")); k != nil && bytes.HasPrefix(k, []byte(nip+"/")); k, _ = c.Next() {
		h.templates++
	}
	if tx.Bucket(bktEnrollPhotos).Get([]byte(nip)) != nil {
		h.photo = 1
	}
	if b := tx.Bucket(bktPINs); b != nil && b.Get([]byte(nip)) != nil {
		h.pin = 1
	}
	return h
}

// TestEnrollIsAllOrNothing kills a child process at random points of a
// stream of enrollments (as TestCrashKeepsEveryAcknowledgedEvent does for
// events): after every kill the store holds every acknowledged
// enrollment whole, and of the one under way either all (employee, five
// templates, photo, PIN) or nothing.
func TestEnrollIsAllOrNothing(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()
	s, err := Open(dir, testOptions(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	acked := map[string]bool{}
	for round := 0; round < 15; round++ {
		// The child starts over at person 1 each round: re-enrolling
		// adds templates, so each round uses a fresh store.
		if err := os.Remove(dbPath(dir)); err != nil {
			t.Fatal(err)
		}
		clear(acked)
		target := 1 + rng.IntN(8)
		c := startChild(t, "enroll", dir)
		n := 0
		for n < target && c.out.Scan() {
			acked[c.out.Text()] = true
			n++
		}
		if n < target {
			t.Fatalf("round %d: child stopped after %d enrollments: %v", round, n, c.out.Err())
		}
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for c.out.Scan() {
			acked[c.out.Text()] = true
		}
		_ = c.cmd.Wait()
		s, err := Open(dir, testOptions(newClock()))
		if err != nil {
			t.Fatalf("round %d (seed %d): reopen after kill: %v", round, seed, err)
		}
		err = s.view(func(tx *bolt.Tx) error {
			for i := 1; i <= len(acked)+1; i++ {
				nip := validNIP(i)
				h := holding(tx, nip)
				switch {
				case acked[nip] && !h.all():
					return fmt.Errorf("acknowledged enrollment %s is partly lost: %+v", nip, h)
				case !h.all() && !h.none():
					return fmt.Errorf("enrollment %s is half written: %+v", nip, h)
				}
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("round %d (seed %d): %v", round, seed, err)
		}
	}
}

// TestEraseLeavesNothingOfThePerson erases an employee enrolled with
// templates, enrollment photo, fallback PIN and an evidence photo, on a
// store upgraded from schema 2 (where the enrollment photo sat in the
// secrets bucket, out of erasure's reach), then reads the bbolt file
// directly: no bucket keeps a key or value naming them, except the
// attendance events and the audit log that must stay. The other
// employee is untouched.
func TestEraseLeavesNothingOfThePerson(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	gone, kept := enrollmentOf(1), enrollmentOf(2)
	for _, en := range []Enrollment{gone, kept} {
		photo := en.Photo
		en.Photo = nil
		if _, _, err := s.Enroll(ctx, en); err != nil {
			t.Fatal(err)
		}
		// Where schema 2 kept the enrollment photo.
		if err := s.SetSecret(ctx, legacyPhotoPrefix+en.Employee.NIP, photo); err != nil {
			t.Fatal(err)
		}
	}
	ev := sampleEvent(0, c.Now())
	ev.NIP = gone.Employee.NIP
	if _, err := s.RecordEvent(ctx, ev, fakeJPEG(4<<10)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	setSchema(t, dir, 2)
	s, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.EnrollPhoto(ctx, kept.Employee.NIP); err != nil || !bytes.Equal(p, kept.Photo) {
		t.Fatalf("migrated enrollment photo: %d bytes, %v", len(p), err)
	}
	if _, err := s.EraseEmployee(ctx, gone.Employee.NIP); err != nil {
		t.Fatal(err)
	}
	s.Close()

	db, err := bolt.Open(dbPath(dir), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	nip := []byte(gone.Employee.NIP)
	err = db.View(func(tx *bolt.Tx) error {
		if h := holding(tx, kept.Employee.NIP); !h.all() {
			return fmt.Errorf("the other employee lost data: %+v", h)
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			switch string(name) {
			case string(bktEvents), string(bktLedger), string(bktOutbox), string(bktAudit):
				return nil // attendance and the record of processing stay
			}
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(k, nip) || bytes.Contains(v, nip) {
					return fmt.Errorf("bucket %s still holds %q under key %q", name, nip, k)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPINRulesAreEnforcedByTheStore: the store itself refuses operator PINs that
// are not 6-12 digits and fallback PINs that are not 4-12 digits, however
// they arrive (not only through the screens).
func TestPINRulesAreEnforcedByTheStore(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	for _, pin := range []string{"1234", "12345", "abcdef", "12345a", "1234567890123", "１２３４５６"} {
		if _, err := s.PutOperator(ctx, "ani", RoleAdmin, pin); !errors.Is(err, ErrInvalid) {
			t.Errorf("operator PIN %q: %v, want ErrInvalid", pin, err)
		}
	}
	if _, err := s.PutOperator(ctx, "ani", RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	mustEmployee(t, s, validNIP(1), "A")
	for _, pin := range []string{"123", "12a4", "1234567890123", " 1234"} {
		if err := s.SetEmployeePIN(ctx, validNIP(1), pin); !errors.Is(err, ErrInvalid) {
			t.Errorf("fallback PIN %q: %v, want ErrInvalid", pin, err)
		}
		en := enrollmentOf(2)
		en.PIN = pin
		if _, _, err := s.Enroll(ctx, en); !errors.Is(err, ErrInvalid) {
			t.Errorf("enrollment with fallback PIN %q: %v, want ErrInvalid", pin, err)
		}
	}
	if err := s.SetEmployeePIN(ctx, validNIP(1), "2468"); err != nil {
		t.Fatal(err)
	}
}

// TestOperatorLockoutSurvivesRestart: five wrong PINs lock the operator
// login; the lock is kept in the store, so reopening it (a restarted
// kiosk) still refuses even the right PIN, without checking it, until
// five minutes have passed.
func TestOperatorLockoutSurvivesRestart(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	if _, err := s.PutOperator(ctx, "ani", RoleAdmin, "135790"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= DefaultOperatorMaxFails; i++ {
		if _, err := s.VerifyOperator(ctx, "ani", "000000"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
		l, err := s.OperatorLogin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := DefaultOperatorMaxFails - i; i < DefaultOperatorMaxFails && (l.Left != want || l.Locked(c.Now())) {
			t.Fatalf("after %d wrong PINs: %+v, want %d left", i, l, want)
		}
	}
	s.Close()
	s, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	audits := func() int {
		all, err := s.AuditLog(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	before := audits()
	_, err = s.VerifyOperator(ctx, "ani", "135790")
	var locked *LoginLockedError
	if !errors.As(err, &locked) || !errors.Is(err, ErrLoginLocked) || !locked.Until.Equal(c.Now().Add(DefaultOperatorLockout)) {
		t.Fatalf("right PIN after a restart during the lockout: %v", err)
	}
	if audits() != before {
		t.Error("a PIN was checked (and audited) during the lockout")
	}
	c.Add(DefaultOperatorLockout - time.Second)
	if _, err := s.VerifyOperator(ctx, "ani", "135790"); !errors.Is(err, ErrLoginLocked) {
		t.Fatalf("a second before the end: %v", err)
	}
	c.Add(time.Second)
	if _, err := s.VerifyOperator(ctx, "ani", "135790"); err != nil {
		t.Fatalf("right PIN after the lockout: %v", err)
	}
	if l, _ := s.OperatorLogin(ctx); l.Failures != 0 || l.Left != DefaultOperatorMaxFails {
		t.Fatalf("a success did not clear the count: %+v", l)
	}
	var kinds []string
	all, _ := s.AuditLog(ctx, 0, 1000)
	for _, a := range all {
		if a.Action == ActionLockout {
			kinds = append(kinds, a.Detail)
		}
	}
	if len(kinds) != 1 || !strings.Contains(kinds[0], "locked until") {
		t.Fatalf("lockout audit: %q", kinds)
	}
}
