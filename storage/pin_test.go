package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEmployeePIN(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	nip := validNIP(1)
	if err := s.SetEmployeePIN(ctx, nip, "123456"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PIN for an unknown employee: %v, want ErrNotFound", err)
	}
	mustEmployee(t, s, nip, "Siti")
	if err := s.SetEmployeePIN(ctx, nip, "12"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short PIN: %v, want ErrInvalid", err)
	}
	if err := s.SetEmployeePIN(ctx, nip, "123456"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, nip, pin string
		ok             bool
	}{
		{"right PIN", nip, "123456", true},
		{"wrong PIN", nip, "123457", false},
		{"unknown NIP", validNIP(2), "123456", false},
		{"empty PIN", nip, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := s.VerifyEmployeePIN(ctx, tc.nip, tc.pin)
			if tc.ok && (err != nil || e.NIP != nip) {
				t.Fatalf("got %v, %v; want employee %s", e, err, nip)
			}
			if !tc.ok && !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("got %v, want ErrBadCredentials", err)
			}
		})
	}
	if _, err := s.EraseEmployee(ctx, nip); err != nil {
		t.Fatal(err)
	}
	mustEmployee(t, s, nip, "Siti again")
	if _, err := s.VerifyEmployeePIN(ctx, nip, "123456"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("PIN survived erasure: %v", err)
	}
}

func TestRecentEvents(t *testing.T) {
	s, clock, _ := openTest(t)
	ctx := context.Background()
	mustEmployee(t, s, validNIP(1), "Siti")
	var ids []string
	for i := range 5 {
		e, err := s.RecordEvent(ctx, Event{Kind: KindIn, NIP: validNIP(1), Time: clock.Now()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
		if i < 4 {
			clock.Add(time.Hour)
		}
	}
	for _, tc := range []struct {
		back  time.Duration
		limit int
		want  []string
	}{
		{0, 0, ids[4:]},
		{90 * time.Minute, 0, ids[3:]},
		{100 * time.Hour, 0, ids},
		{100 * time.Hour, 2, ids[3:]},
	} {
		got, err := s.RecentEvents(ctx, clock.Now().Add(-tc.back), tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, e := range got {
			gotIDs = append(gotIDs, e.ID)
		}
		if len(gotIDs) != len(tc.want) || (len(gotIDs) > 0 && (gotIDs[0] != tc.want[0] || gotIDs[len(gotIDs)-1] != tc.want[len(tc.want)-1])) {
			t.Errorf("since %v ago, limit %d: got %v, want %v", tc.back, tc.limit, gotIDs, tc.want)
		}
	}
}
