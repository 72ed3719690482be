package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fileTemplates counts nip's enrollment and adapted templates as the bbolt
// file holds them, read with bbolt itself after the store is closed.
func fileTemplates(t *testing.T, dir, nip string) (enrolled, adapted int) {
	t.Helper()
	db, err := bolt.Open(dbPath(dir), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		prefix := []byte(nip + "/")
		c := tx.Bucket([]byte("templates")).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			if v[0] == tplAdapted {
				adapted++
			} else {
				enrolled++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return enrolled, adapted
}

func adaptedSeeds(t *testing.T, ts []Template) (enrolled int, seeds []float32) {
	t.Helper()
	for _, tp := range ts {
		if tp.Adapted {
			seeds = append(seeds, tp.Descriptor[0])
		} else {
			enrolled++
		}
	}
	return enrolled, seeds
}

func TestAdaptTemplateBoundReplacesOldestAdapted(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := WithActor(context.Background(), "kiosk")
	nip := "198503102010011001"
	mustEmployee(t, s, nip, "Siti")
	if _, err := s.AdaptTemplate(ctx, nip, Template{Descriptor: descriptor(9)}, 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("adapting a person without enrollment templates: %v, want ErrInvalid", err)
	}
	if _, err := s.AddTemplates(ctx, nip, []Template{{Descriptor: descriptor(1)}, {Descriptor: descriptor(2)}}); err != nil {
		t.Fatal(err)
	}
	var all []Template
	for i := range 5 {
		c.Add(time.Hour)
		var err error
		if all, err = s.AdaptTemplate(ctx, nip, Template{Descriptor: descriptor(float32(10 + i))}, 3); err != nil {
			t.Fatalf("adapt %d: %v", i, err)
		}
	}
	enrolled, seeds := adaptedSeeds(t, all)
	if enrolled != 2 || len(seeds) != 3 {
		t.Fatalf("after 5 adaptations with bound 3: %d enrolled, %d adapted; want 2 and 3", enrolled, len(seeds))
	}
	got := map[float32]bool{}
	for _, v := range seeds {
		got[v] = true
	}
	for _, want := range []float32{12, 13, 14} { // 10 and 11, the oldest, were replaced
		if !got[want] {
			t.Fatalf("adapted templates %v, want the newest three (12, 13, 14)", seeds)
		}
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	last := log[len(log)-1]
	if last.Action != ActionAdapt || last.Subject != nip || last.Actor != "kiosk" {
		t.Fatalf("last audit entry %+v, want the adaptation", last)
	}
	emp, err := s.Employee(ctx, nip)
	if err != nil {
		t.Fatal(err)
	}
	emp.Status = StatusInactive
	if _, err := s.PutEmployee(ctx, emp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdaptTemplate(ctx, nip, Template{Descriptor: descriptor(20)}, 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("adapting an inactive employee: %v, want ErrInvalid", err)
	}
}

func TestReEnrollAndEraseRemoveAdaptedTemplates(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	a, b := "198503102010011001", "199001012015031002"
	for _, nip := range []string{a, b} {
		if _, _, err := s.Enroll(ctx, Enrollment{Employee: Employee{NIP: nip, Name: "P " + nip[:4], Unit: "BKPSDM"},
			Templates: []Template{{Descriptor: descriptor(1)}}}); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			c.Add(time.Minute)
			if _, err := s.AdaptTemplate(ctx, nip, Template{Descriptor: descriptor(float32(5 + i))}, 3); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Re-enrollment that adds a photo (not Replace) drops a's adapted ones.
	if _, _, err := s.Enroll(ctx, Enrollment{Employee: Employee{NIP: a, Name: "P " + a[:4], Unit: "BKPSDM"},
		Templates: []Template{{Descriptor: descriptor(3)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseEmployee(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if e, ad := fileTemplates(t, dir, a); e != 2 || ad != 0 {
		t.Fatalf("re-enrolled %s in the file: %d enrollment, %d adapted templates; want 2 and 0", a, e, ad)
	}
	if e, ad := fileTemplates(t, dir, b); e != 0 || ad != 0 {
		t.Fatalf("erased %s in the file: %d enrollment, %d adapted templates; want none", b, e, ad)
	}
}

func TestAdaptedFlagSurvivesReplaceTemplates(t *testing.T) {
	// A roster pull replaces the set with the server's, which carries
	// the flag: adapted stays adapted, so the bound still holds.
	s, _, _ := openTest(t)
	ctx := context.Background()
	nip := "198503102010011001"
	mustEmployee(t, s, nip, "Siti")
	out, err := s.ReplaceTemplates(ctx, nip, []Template{{Descriptor: descriptor(1)}, {Descriptor: descriptor(2), Adapted: true}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Templates(ctx, nip)
	if err != nil || len(got) != 2 {
		t.Fatalf("templates %v, %v", got, err)
	}
	for _, tp := range got {
		want := tp.ID == out[1].ID
		if tp.Adapted != want {
			t.Fatalf("template %s adapted=%v, want %v", tp.ID, tp.Adapted, want)
		}
	}
}
