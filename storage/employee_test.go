package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPutEmployeeVersions(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := WithActor(context.Background(), "admin1")
	nip := "198503102010011001"
	e1, err := s.PutEmployee(ctx, Employee{NIP: nip, Name: "  Siti Aminah ", Unit: "Dinas Kesehatan"})
	if err != nil {
		t.Fatal(err)
	}
	if e1.Version != 1 || e1.Status != StatusActive || e1.Name != "Siti Aminah" || !e1.CreatedAt.Equal(c.Now()) {
		t.Fatalf("created %+v", e1)
	}
	c.Add(time.Hour)
	e1.Unit = "BKPSDM"
	e2, err := s.PutEmployee(ctx, e1)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Version != 2 || !e2.CreatedAt.Equal(e1.CreatedAt) || !e2.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("updated %+v", e2)
	}
	// A stale version is refused; version 0 means "no check".
	if _, err := s.PutEmployee(ctx, e1); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	e3, err := s.PutEmployee(ctx, Employee{NIP: nip, Name: "Siti Aminah", Status: StatusInactive})
	if err != nil || e3.Version != 3 {
		t.Fatalf("unchecked update: %+v %v", e3, err)
	}
	got, err := s.Employee(ctx, nip)
	if err != nil || got != e3 {
		t.Fatalf("Employee = %+v %v, want %+v", got, err, e3)
	}
	if _, err := s.Employee(ctx, "197912312005022999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing employee: %v", err)
	}
	log, err := s.AuditLog(ctx, 0, 10)
	if err != nil || len(log) != 3 || log[0].Actor != "admin1" || log[0].Action != ActionEmployee || log[0].Subject != nip {
		t.Fatalf("audit %+v %v", log, err)
	}
}

func TestPutEmployeeRejectsBadInput(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	cases := []struct {
		name string
		e    Employee
		want error
	}{
		{"bad nip", Employee{NIP: "123", Name: "A"}, ErrInvalidNIP},
		{"empty name", Employee{NIP: "198503102010011001", Name: "  "}, ErrInvalid},
		{"bad utf8", Employee{NIP: "198503102010011001", Name: "\xff"}, ErrInvalid},
		{"bad status", Employee{NIP: "198503102010011001", Name: "A", Status: "gone"}, ErrInvalid},
		{"version for new", Employee{NIP: "198503102010011001", Name: "A", Version: 4}, ErrConflict},
	}
	for _, c := range cases {
		if _, err := s.PutEmployee(ctx, c.e); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	all, err := s.Employees(ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("rejected input was stored: %+v %v", all, err)
	}
}

func TestEmployeesOrderedByNIP(t *testing.T) {
	s, _, _ := openTest(t)
	nips := []string{"199001012015031002", "198503102010011001", "197912312005022999"}
	for _, n := range nips {
		mustEmployee(t, s, n, "X "+n)
	}
	all, err := s.Employees(context.Background())
	if err != nil || len(all) != 3 {
		t.Fatalf("%v %v", all, err)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].NIP >= all[i].NIP {
			t.Fatalf("not ordered: %s then %s", all[i-1].NIP, all[i].NIP)
		}
	}
}

func TestCanceledContext(t *testing.T) {
	s, _, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.PutEmployee(ctx, Employee{NIP: "198503102010011001", Name: "A"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutEmployee with canceled ctx: %v", err)
	}
}
