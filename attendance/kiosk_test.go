package attendance

import (
	"testing"
	"time"
)

func TestAllowedCooldown(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	last := time.Date(2026, 1, 5, 0, 42, 10, 0, time.UTC) // 07:42:10 WIB
	tests := []struct {
		name string
		last time.Time
		now  time.Time
		ok   bool
	}{
		{"no previous event", time.Time{}, last, true},
		{"same instant", last, last, false},
		{"9m59.999s later", last, last.Add(10*time.Minute - time.Millisecond), false},
		{"exactly 10 minutes later is allowed", last, last.Add(10 * time.Minute), true},
		{"an hour later", last, last.Add(time.Hour), true},
		{"clock stepped back 5 minutes", last, last.Add(-5 * time.Minute), false},
		{"clock stepped back exactly 10 minutes", last, last.Add(-10 * time.Minute), true},
		{"clock stepped back 2 hours", last, last.Add(-2 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, at := c.Allowed(tt.last, tt.now)
			if ok != tt.ok {
				t.Fatalf("Allowed = %v, want %v", ok, tt.ok)
			}
			if ok && !at.IsZero() {
				t.Errorf("allowed but recordedAt = %v", at)
			}
			if !ok {
				if got := at.Format("15:04"); got != "07:42" || !at.Equal(tt.last) {
					t.Errorf("recordedAt = %v (%s), want the last event shown as 07:42 WIB", at, got)
				}
			}
		})
	}
}

func TestAllowedCooldownDisabled(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	c.Cooldown = 0
	now := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
	if ok, _ := c.Allowed(now, now); !ok {
		t.Fatal("cooldown 0 still blocks")
	}
}

func TestClassifyRegular(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	tests := []struct {
		at    string
		phase Phase
		day   string
	}{
		{"2026-01-05 00:00", PhaseOutside, "2026-01-05"},
		{"2026-01-05 04:59:59", PhaseOutside, "2026-01-05"},
		{"2026-01-05 05:00", PhaseIn, "2026-01-05"},
		{"2026-01-05 07:30", PhaseIn, "2026-01-05"},
		{"2026-01-05 11:59:59", PhaseIn, "2026-01-05"},
		{"2026-01-05 12:00", PhaseOut, "2026-01-05"},
		{"2026-01-05 16:00", PhaseOut, "2026-01-05"},
		{"2026-01-05 23:59:59", PhaseOut, "2026-01-05"},
		{"2026-01-10 08:00", PhaseIn, "2026-01-10"}, // Saturday: windows still apply; Derive says day_off
		{"2026-02-19 08:00", PhaseIn, "2026-02-19"}, // Ramadan inherits the regular windows
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			ph, d, err := c.Classify(local(t, c, tt.at), "")
			if err != nil {
				t.Fatal(err)
			}
			if ph != tt.phase || d.String() != tt.day {
				t.Fatalf("Classify = %s %s, want %s %s", ph, d, tt.phase, tt.day)
			}
		})
	}
}

func TestClassifyNightShift(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	tests := []struct {
		at    string
		phase Phase
		day   string
	}{
		{"2026-01-05 17:59", PhaseOutside, "2026-01-05"},
		{"2026-01-05 18:00", PhaseIn, "2026-01-05"},
		{"2026-01-05 23:59:59", PhaseIn, "2026-01-05"},
		{"2026-01-06 00:00", PhaseOut, "2026-01-05"}, // after midnight: still Monday's shift
		{"2026-01-06 07:00", PhaseOut, "2026-01-05"},
		{"2026-01-06 11:59", PhaseOut, "2026-01-05"},
		{"2026-01-06 12:00", PhaseOutside, "2026-01-06"},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			ph, d, err := c.Classify(local(t, c, tt.at), "night")
			if err != nil {
				t.Fatal(err)
			}
			if ph != tt.phase || d.String() != tt.day {
				t.Fatalf("Classify = %s %s, want %s %s", ph, d, tt.phase, tt.day)
			}
		})
	}
	if _, _, err := c.Classify(local(t, c, "2026-01-05 20:00"), "siang"); err == nil {
		t.Fatal("unknown shift accepted")
	}
}

// One UTC instant, three zones: 04:30Z is 11:30 WIB (still check-in),
// 12:30 WITA and 13:30 WIT (check-out).
func TestClassifyTimeZones(t *testing.T) {
	instant := time.Date(2026, 1, 5, 4, 30, 0, 0, time.UTC)
	late := time.Date(2026, 1, 5, 16, 30, 0, 0, time.UTC) // 23:30 WIB Mon; 00:30 / 01:30 Tue
	tests := []struct {
		zone          string
		phase, latePh Phase
		day, lateDay  string
	}{
		{"Asia/Jakarta", PhaseIn, PhaseOut, "2026-01-05", "2026-01-05"},
		{"Asia/Makassar", PhaseOut, PhaseOutside, "2026-01-05", "2026-01-06"},
		{"Asia/Jayapura", PhaseOut, PhaseOutside, "2026-01-05", "2026-01-06"},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			c := testConfig(t, tt.zone)
			ph, d, err := c.Classify(instant, "")
			if err != nil || ph != tt.phase || d.String() != tt.day {
				t.Errorf("Classify(04:30Z) = %s %s %v, want %s %s", ph, d, err, tt.phase, tt.day)
			}
			ph, d, err = c.Classify(late, "")
			if err != nil || ph != tt.latePh || d.String() != tt.lateDay {
				t.Errorf("Classify(16:30Z) = %s %s %v, want %s %s", ph, d, err, tt.latePh, tt.lateDay)
			}
		})
	}
}
