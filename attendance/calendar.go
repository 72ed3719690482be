package attendance

import (
	_ "embed" // the default holidays are data
	"fmt"
	"slices"

	"github.com/BurntSushi/toml"
)

// HolidayKind tells a national holiday from collective leave.
type HolidayKind string

// Holiday kinds.
const (
	// KindHoliday is a national (or regional) public holiday (libur).
	KindHoliday HolidayKind = "libur"
	// KindCollective is cuti bersama: a day off for civil servants set by
	// the yearly SKB, charged to annual leave.
	KindCollective HolidayKind = "cuti_bersama"
)

// Holiday is one non-working date of the regency calendar.
type Holiday struct {
	Date Date        `toml:"date" json:"date"`
	Name string      `toml:"name" json:"name"`
	Kind HolidayKind `toml:"kind" json:"kind"`
}

// Validate checks one holiday entry.
func (h Holiday) Validate() error {
	switch {
	case h.Date.IsZero():
		return fmt.Errorf("%w: holiday date required", ErrInvalidConfig)
	case h.Name == "" || len(h.Name) > 120:
		return fmt.Errorf("%w: holiday %s: name must be 1-120 characters", ErrInvalidConfig, h.Date)
	case h.Kind != KindHoliday && h.Kind != KindCollective:
		return fmt.Errorf("%w: holiday %s: kind %q must be libur or cuti_bersama", ErrInvalidConfig, h.Date, h.Kind)
	}
	return nil
}

//go:embed holidays_default.toml
var defaultHolidaysTOML []byte

// DefaultHolidays returns the shipped holidays and cuti bersama of year
// (nil when none are shipped). They are DEFAULTS: the moveable Islamic,
// Chinese, Hindu and Buddhist dates are the expected ones, and the SKB of
// the three ministers is final: the admin edits the year per SKB.
func DefaultHolidays(year int) []Holiday {
	var f struct {
		Holidays []Holiday `toml:"holidays"`
	}
	if _, err := toml.Decode(string(defaultHolidaysTOML), &f); err != nil {
		panic("attendance: embedded holidays_default.toml: " + err.Error())
	}
	var out []Holiday
	for _, h := range f.Holidays {
		if h.Date.Year == year {
			out = append(out, h)
		}
	}
	return out
}

// DefaultHolidayYears lists the years DefaultHolidays knows.
func DefaultHolidayYears() []int { return []int{2026, 2027} }

// Calendar answers "is this date a holiday" for the day rule.
type Calendar map[Date]Holiday

// NewCalendar indexes hs by date.
func NewCalendar(hs []Holiday) Calendar {
	c := make(Calendar, len(hs))
	for _, h := range hs {
		c[h.Date] = h
	}
	return c
}

// Dates returns the calendar's dates in order.
func (c Calendar) Dates() []Date {
	out := make([]Date, 0, len(c))
	for d := range c {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Date) int { return a.compare(b) })
	return out
}
