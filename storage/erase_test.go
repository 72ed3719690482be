package storage

import (
	"context"
	"errors"
	"testing"
)

func TestEraseEmployee(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := WithActor(context.Background(), "dpo")
	a, b := "198503102010011001", "199001012015031002"
	mustEmployee(t, s, a, "Siti")
	mustEmployee(t, s, b, "Budi")
	for _, nip := range []string{a, b} {
		if _, err := s.AddTemplates(ctx, nip, []Template{{Descriptor: descriptor(1)}, {Descriptor: descriptor(2)}}); err != nil {
			t.Fatal(err)
		}
	}
	ea := sampleEvent(0, c.Now())
	ea.NIP = a
	evA, err := s.RecordEvent(ctx, ea, fakeJPEG(900))
	if err != nil {
		t.Fatal(err)
	}
	eb := sampleEvent(1, c.Now())
	eb.NIP = b
	evB, err := s.RecordEvent(ctx, eb, fakeJPEG(901))
	if err != nil {
		t.Fatal(err)
	}

	rep, err := s.EraseEmployee(ctx, a)
	if err != nil || rep != (EraseReport{Templates: 2, Photos: 1}) {
		t.Fatalf("EraseEmployee = %+v, %v", rep, err)
	}
	if _, err := s.Employee(ctx, a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("employee after erase: %v", err)
	}
	if ts, _ := s.Templates(ctx, a); len(ts) != 0 {
		t.Fatalf("%d templates left after erase", len(ts))
	}
	if _, err := s.Photo(ctx, evA.PhotoID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("photo after erase: %v", err)
	}
	if e, err := s.Event(ctx, evA.ID); err != nil || e.NIP != a {
		t.Fatalf("attendance event must stay: %+v %v", e, err)
	}
	// The other employee is untouched.
	if ts, _ := s.Templates(ctx, b); len(ts) != 2 {
		t.Fatalf("other employee has %d templates", len(ts))
	}
	if _, err := s.Photo(ctx, evB.PhotoID); err != nil {
		t.Fatalf("other employee's photo: %v", err)
	}
	n := 0
	s.ForEachTemplate(ctx, func(tp Template) error {
		if tp.NIP == a {
			t.Errorf("erased template %s still loaded", tp.ID)
		}
		n++
		return nil
	})
	if n != 2 {
		t.Fatalf("gallery has %d templates, want 2", n)
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	last := log[len(log)-1]
	if last.Action != ActionErase || last.Subject != a || last.Actor != "dpo" {
		t.Fatalf("last audit entry %+v", last)
	}
	if _, err := s.EraseEmployee(ctx, a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second erase: %v", err)
	}
	if _, err := s.VerifyLedger(ctx); err != nil {
		t.Fatal(err)
	}
}
