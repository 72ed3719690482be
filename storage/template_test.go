package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestAddTemplatesAndRead(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := WithActor(context.Background(), "op1")
	a, b := "198503102010011001", "199001012015031002"
	mustEmployee(t, s, a, "Siti")
	mustEmployee(t, s, b, "Budi")

	if _, err := s.AddTemplates(ctx, "197912312005022999", []Template{{Descriptor: descriptor(1)}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("templates for unknown employee: %v, want ErrNotFound", err)
	}
	q := TemplateQuality{FaceWidth: 180, Sharpness: 0.8, Brightness: 0.5, Yaw: -3.5, EyeOpenness: 0.31}
	taken := c.Now().Add(-time.Minute)
	got, err := s.AddTemplates(ctx, a, []Template{
		{Descriptor: descriptor(0.1), Quality: q, TakenAt: taken},
		{Descriptor: descriptor(0.2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID == "" || got[0].ID == got[1].ID || got[0].NIP != a || !got[1].TakenAt.Equal(c.Now()) {
		t.Fatalf("AddTemplates returned %v", got)
	}
	if _, err := s.AddTemplates(ctx, b, []Template{{Descriptor: descriptor(0.3)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTemplates(ctx, a, []Template{{Descriptor: descriptor(0.4)}}); err != nil {
		t.Fatal(err)
	}

	ta, err := s.Templates(ctx, a)
	if err != nil || len(ta) != 3 {
		t.Fatalf("Templates(a) = %d %v", len(ta), err)
	}
	byID := map[string]Template{}
	for _, x := range ta {
		byID[x.ID] = x
	}
	first := byID[got[0].ID]
	if first.Descriptor != descriptor(0.1) || first.Quality != q || !first.TakenAt.Equal(taken) || first.NIP != a {
		t.Fatalf("round trip lost data: %v %+v", first, first.Quality)
	}

	var all []Template
	if err := s.ForEachTemplate(ctx, func(t Template) error { all = append(all, t); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("ForEachTemplate saw %d templates, want 4", len(all))
	}
	stop := errors.New("stop")
	n := 0
	if err := s.ForEachTemplate(ctx, func(Template) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("ForEachTemplate did not stop: %v after %d", err, n)
	}

	log, _ := s.AuditLog(ctx, 0, 100)
	var actions []AuditAction
	for _, e := range log {
		if e.Action == ActionEnroll || e.Action == ActionReEnroll {
			actions = append(actions, e.Action)
		}
	}
	if fmt.Sprint(actions) != "[enroll enroll re-enroll]" {
		t.Fatalf("enrollment audit = %v", actions)
	}
}

func TestAddTemplatesRejectsBadInput(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	a := "198503102010011001"
	mustEmployee(t, s, a, "Siti")
	nan := descriptor(0)
	nan[5] = float32(math.NaN())
	cases := []struct {
		name string
		nip  string
		ts   []Template
		want error
	}{
		{"bad nip", "12", []Template{{}}, ErrInvalidNIP},
		{"none", a, nil, ErrInvalid},
		{"nan", a, []Template{{Descriptor: nan}}, ErrInvalid},
		{"other nip", a, []Template{{NIP: "199001012015031002"}}, ErrInvalid},
		{"bad id", a, []Template{{ID: "a/b"}}, ErrInvalid},
	}
	for _, c := range cases {
		if _, err := s.AddTemplates(ctx, c.nip, c.ts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := s.AddTemplates(ctx, a, []Template{{ID: "T1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTemplates(ctx, a, []Template{{ID: "T2"}, {ID: "T1"}}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate ID: %v", err)
	}
	if ts, _ := s.Templates(ctx, a); len(ts) != 1 {
		t.Fatalf("failed batch left %d templates, want 1 (all or nothing)", len(ts))
	}
}

func TestTemplateStringHidesDescriptor(t *testing.T) {
	tp := Template{ID: "X", NIP: "198503102010011001", Descriptor: descriptor(0.123)}
	for _, out := range []string{fmt.Sprint(tp), fmt.Sprintf("%v %+v %#v", tp, tp, tp)} {
		if strings.Contains(out, "0.123") || strings.Contains(out, "Descriptor") {
			t.Fatalf("descriptor leaked into %q", out)
		}
	}
}

func TestDescriptorsEncryptedAtRestAndBoundToRecord(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := context.Background()
	a, b := "198503102010011001", "199001012015031002"
	mustEmployee(t, s, a, "Siti")
	mustEmployee(t, s, b, "Budi")
	ta, err := s.AddTemplates(ctx, a, []Template{{Descriptor: descriptor(0.77)}})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.AddTemplates(ctx, b, []Template{{Descriptor: descriptor(0.55)}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The plaintext descriptor (as stored by schema 1: little-endian
	// float32) must not appear anywhere in the file.
	var plain bytes.Buffer
	d := descriptor(0.77)
	binary.Write(&plain, binary.LittleEndian, d[:16])
	raw := readFile(t, dbPath(dir))
	if bytes.Contains(raw, plain.Bytes()) {
		t.Fatal("descriptor found in plaintext in the database file")
	}

	// Copy A's ciphertext onto B's record with raw bbolt writes.
	db, err := bolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bktTemplates)
		v := append([]byte(nil), bk.Get(templateKey(a, ta[0].ID))...)
		return bk.Put(templateKey(b, tb[0].ID), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Templates(ctx, b); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("moved ciphertext: %v, want ErrCorrupt", err)
	}
	if got, err := s.Templates(ctx, a); err != nil || got[0].Descriptor != descriptor(0.77) {
		t.Fatalf("untouched record: %v", err)
	}
}

func TestReplaceTemplates(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	a, b := "198503102010011001", "199001012015031002"
	mustEmployee(t, s, a, "Siti")
	mustEmployee(t, s, b, "Budi")
	s.AddTemplates(ctx, a, []Template{{Descriptor: descriptor(1)}, {Descriptor: descriptor(2)}})
	s.AddTemplates(ctx, b, []Template{{Descriptor: descriptor(3)}})
	got, err := s.ReplaceTemplates(ctx, a, []Template{{Descriptor: descriptor(9)}})
	if err != nil || len(got) != 1 {
		t.Fatalf("ReplaceTemplates = %v %v", got, err)
	}
	ta, _ := s.Templates(ctx, a)
	if len(ta) != 1 || ta[0].Descriptor != descriptor(9) {
		t.Fatalf("after replace: %v", ta)
	}
	if tb, _ := s.Templates(ctx, b); len(tb) != 1 {
		t.Fatalf("other employee's templates touched: %v", tb)
	}
	// A failing replacement keeps the old templates.
	nan := descriptor(0)
	nan[0] = float32(math.Inf(1))
	if _, err := s.ReplaceTemplates(ctx, a, []Template{{Descriptor: nan}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad replacement: %v", err)
	}
	if ta, _ := s.Templates(ctx, a); len(ta) != 1 || ta[0].Descriptor != descriptor(9) {
		t.Fatalf("failed replace changed templates: %v", ta)
	}
	log, _ := s.AuditLog(ctx, 0, 100)
	if last := log[len(log)-1]; last.Action != ActionReEnroll || !strings.Contains(last.Detail, "replaced 2") {
		t.Fatalf("audit %+v", last)
	}
}
