package attendance

import (
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    Clock
		wantErr bool
	}{
		{"00:00", 0, false},
		{"07:30", 450, false},
		{"23:59", 1439, false},
		{"24:00", EndOfDay, false},
		{"24:01", 0, true},
		{"25:00", 0, true},
		{"07:60", 0, true},
		{"7:30", 0, true},
		{"07.30", 0, true},
		{"", 0, true},
		{"-1:30", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseClock(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("ParseClock(%q) = %d, want %d", tt.in, got, tt.want)
			}
			if !tt.wantErr && got.String() != tt.in {
				t.Fatalf("round trip %q -> %q", tt.in, got.String())
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2026-02-28")
	if err != nil || d != (Date{2026, time.February, 28}) || d.String() != "2026-02-28" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	for _, bad := range []string{"2026-02-30", "28-02-2026", "2026-2-28", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if got := d.AddDays(1); got != (Date{2026, time.March, 1}) {
		t.Errorf("AddDays(1) = %v", got)
	}
	if got := (Date{2026, time.January, 1}).AddDays(-1); got != (Date{2025, time.December, 31}) {
		t.Errorf("AddDays(-1) = %v", got)
	}
	if got := d.Weekday(); got != time.Saturday {
		t.Errorf("Weekday = %v", got)
	}
	if !(Date{2025, 12, 31}).Before(Date{2026, 1, 1}) || (Date{2026, 1, 1}).Before(Date{2026, 1, 1}) {
		t.Error("Before is wrong")
	}
}

func TestDateOfDependsOnZone(t *testing.T) {
	// 2026-01-04 18:30 UTC is still Sunday in UTC and New York but already
	// Monday in all three Indonesian zones.
	instant := time.Date(2026, 1, 4, 18, 30, 0, 0, time.UTC)
	tests := []struct {
		zone string
		want Date
	}{
		{"Asia/Jakarta", Date{2026, 1, 5}},     // 01:30 Mon
		{"Asia/Makassar", Date{2026, 1, 5}},    // 02:30 Mon
		{"Asia/Jayapura", Date{2026, 1, 5}},    // 03:30 Mon
		{"UTC", Date{2026, 1, 4}},              // 18:30 Sun
		{"America/New_York", Date{2026, 1, 4}}, // 13:30 Sun
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := DateOf(instant, loc); got != tt.want {
			t.Errorf("DateOf in %s = %v, want %v", tt.zone, got, tt.want)
		}
	}
}

func TestWeekdayAndDurationText(t *testing.T) {
	var w Weekday
	if err := w.UnmarshalText([]byte("FRI")); err != nil || time.Weekday(w) != time.Friday {
		t.Fatalf("weekday FRI = %v, %v", w, err)
	}
	if err := w.UnmarshalText([]byte("friday")); err == nil {
		t.Fatal("weekday friday accepted")
	}
	var d Duration
	if err := d.UnmarshalText([]byte("10m")); err != nil || time.Duration(d) != 10*time.Minute {
		t.Fatalf("duration 10m = %v, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("10 minutes")); err == nil {
		t.Fatal("duration '10 minutes' accepted")
	}
}
