package attendance

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil (calendar) date in a unit's local time zone. Attendance is
// reckoned per local working day, never per UTC day, so the rules take a Date
// rather than a time.Time whose day depends on the location it carries.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the local calendar date of t in loc, so that callers can ask
// "which working day is this instant" the same way the rules do.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses an ISO date "2006-01-02" as used in the schedule file.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date (an unset field).
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the date n days later (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Before reports whether d is strictly earlier than o.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d Date) compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return d.Year - o.Year
	case d.Month != o.Month:
		return int(d.Month) - int(o.Month)
	default:
		return d.Day - o.Day
	}
}

// midnight returns the first instant of d in loc.
func (d Date) midnight(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the schedule file.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Clock is a wall-clock time of day in whole minutes after midnight
// (0 = "00:00" … 1440 = "24:00"). Schedules are written as HH:MM and the rules
// work at minute resolution, like the clock shown on the kiosk.
type Clock int

// EndOfDay is "24:00": allowed as the end of a window or of a working day so
// that a window can cover the last minute before midnight.
const EndOfDay Clock = 24 * 60

// ParseClock parses "HH:MM" (00:00–24:00).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("invalid clock time %q: want HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("invalid clock time %q: want HH:MM between 00:00 and 24:00", s)
	}
	return Clock(hh*60 + mm), nil
}

// String formats the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the schedule file.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Weekday is a day of the week written "mon".."sun" in the schedule file.
type Weekday time.Weekday

var weekdayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// String returns the short lower-case English name ("mon").
func (w Weekday) String() string {
	if w < 0 || int(w) >= len(weekdayNames) {
		return "Weekday(" + strconv.Itoa(int(w)) + ")"
	}
	return weekdayNames[w]
}

// MarshalText implements encoding.TextMarshaler.
func (w Weekday) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the schedule file.
func (w *Weekday) UnmarshalText(b []byte) error {
	s := strings.ToLower(string(b))
	for i, n := range weekdayNames {
		if s == n {
			*w = Weekday(i)
			return nil
		}
	}
	return fmt.Errorf("invalid weekday %q: want one of mon, tue, wed, thu, fri, sat, sun", string(b))
}

// Duration is a time.Duration written as "10m" in the schedule file.
type Duration time.Duration

// String formats like time.Duration ("10m0s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the schedule file.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q: want e.g. \"10m\"", string(b))
	}
	*d = Duration(v)
	return nil
}
