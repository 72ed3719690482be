package attendance

import (
	"fmt"
	"time"
)

// Report status codes of one person's day, as the LH and LB.2 show them
// (Bahasa Indonesia abbreviations). Exception days show the type's code.
const (
	CodePresent    = "H"      // hadir: on time, full day
	CodeLate       = "TL"     // terlambat
	CodeEarly      = "PSW"    // pulang sebelum waktu
	CodeLateEarly  = "TL/PSW" // both
	CodeAbsent     = "TK"     // tanpa keterangan: no record, no exception
	CodePending    = "BS"     // belum sinkron: a kiosk still holds events
	CodeHoliday    = "L"      // libur nasional / daerah
	CodeCollective = "CBR"    // cuti bersama
	CodeOff        = "-"      // not a working day for this person
	CodeNotYet     = "BH"     // belum hadir: the day is still open
)

// Defaults of Rules.
const (
	// DefaultTKCutPercent is the cut of a day tanpa keterangan: the usual
	// 4 %, which is also what TL4 + PSW4 of a day without any record cost.
	DefaultTKCutPercent = 4.0
	// DefaultMonthlyCapPercent caps a month's total cut (100: the whole
	// allowance, i.e. no cap below it).
	DefaultMonthlyCapPercent = 100.0
)

// Rules are the regency's rules on top of each unit's schedule: the
// exception types, the TK cut and the monthly cap. Zero values take the
// defaults (WithDefaults).
type Rules struct {
	Types             TypeSet `json:"types"`
	TKCutPercent      float64 `json:"tk_cut_percent"`
	MonthlyCapPercent float64 `json:"monthly_cap_percent"`
}

// WithDefaults fills zero fields with the defaults.
func (r Rules) WithDefaults() Rules {
	if len(r.Types.Types) == 0 {
		r.Types = DefaultTypes()
	}
	if r.TKCutPercent == 0 {
		r.TKCutPercent = DefaultTKCutPercent
	}
	if r.MonthlyCapPercent == 0 {
		r.MonthlyCapPercent = DefaultMonthlyCapPercent
	}
	return r
}

// ValidateCuts checks the TK cut and the cap are percentages.
func (r Rules) ValidateCuts() error {
	if r.TKCutPercent < 0 || r.TKCutPercent > 100 {
		return fmt.Errorf("%w: tk_cut_percent = %v: must be between 0 and 100", ErrInvalidConfig, r.TKCutPercent)
	}
	if r.MonthlyCapPercent < 0 || r.MonthlyCapPercent > 100 {
		return fmt.Errorf("%w: monthly_cap_percent = %v: must be between 0 and 100", ErrInvalidConfig, r.MonthlyCapPercent)
	}
	return nil
}

// DayInput is everything known about one person on one date. Events are
// that day's events only: the caller slices a person's sorted events with
// Config.Span, so a month costs one pass over them, not one per day.
type DayInput struct {
	Date Date
	// Shift is the rostered shift ("" = the unit's schedule); Off a
	// rostered day off.
	Shift string
	Off   bool
	// Holiday is the calendar entry of the date (nil: none). Shifts work
	// on holidays.
	Holiday *Holiday
	Events  []Event
	// Exceptions are the approved exceptions covering the date.
	Exceptions []Exception
	// PendingSync: a kiosk of the unit still holds unsynced events that
	// may belong to this day (never report it absent).
	PendingSync bool
	// OutOfService: the date is outside the person's service.
	OutOfService bool
}

// DayResult is the payroll verdict of one person's day.
type DayResult struct {
	Day
	Code      string  // CodePresent... or the exception type's code
	Exception string  // code of the exception applied ("" none)
	Present   bool    // counts as H
	Absent    bool    // counts as TK
	Working   bool    // a working day of this person
	Cut       float64 // percent of the allowance
}

// Span returns the instants [from, to) whose events belong to date under
// shift (the check-in window's start to the check-out window's end).
func (c *Config) Span(date Date, shift string) (from, to time.Time, err error) {
	p, err := c.planFor(date, shift)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("span of %s: %w", date, err)
	}
	return p.at(p.l.inFrom), p.at(p.l.outTo), nil
}

// DeriveDay is the one day rule of the recap: the schedule's verdict from
// the events (Config.Derive), then the calendar, the roster, approved
// exceptions, pending sync and the TK cut, in this order of precedence:
// out of service, holiday (not for shifts), rostered or scheduled day off,
// full-day exception, pending sync, no record (TK, once the day closed),
// part-day exceptions and tiers.
func (r Rules) DeriveDay(c *Config, in DayInput, now time.Time) (DayResult, error) {
	res := DayResult{Day: Day{Date: in.Date}}
	switch {
	case in.OutOfService:
		res.Code = CodeOff
		res.Status = StatusDayOff
		return res, nil
	case in.Off:
		res.Code, res.Status, res.Schedule = CodeOff, StatusDayOff, in.Shift
		return res, nil
	case in.Holiday != nil && in.Shift == "":
		res.Status, res.Code = StatusHoliday, CodeHoliday
		if in.Holiday.Kind == KindCollective {
			res.Code = CodeCollective
		}
		return res, nil
	}
	d, err := c.Derive(in.Date, in.Shift, in.Events, now)
	if err != nil {
		return DayResult{}, err
	}
	res.Day = d
	switch d.Status {
	case StatusHoliday:
		res.Code = CodeHoliday
		return res, nil
	case StatusDayOff:
		res.Code = CodeOff
		return res, nil
	}
	res.Working = true
	for _, x := range in.Exceptions {
		if !x.Effect.PartDay() {
			res.Code, res.Exception, res.Present = x.Code, x.Code, x.Effect == EffectPresent
			res.Late, res.Early = Tier{}, Tier{}
			return res, nil
		}
	}
	if err := r.partDay(c, &res, in); err != nil {
		return DayResult{}, err
	}
	noRecord := d.CheckIn == nil && d.CheckOut == nil
	// Only a present day carries TL/PSW tiers: a pending day is not
	// graded yet and a TK day carries the TK cut instead.
	switch {
	case d.Status == StatusPendingSync || (in.PendingSync && (noRecord || d.NoCheckIn || d.NoCheckOut)):
		res.Status, res.Code = StatusPendingSync, CodePending
		res.Late, res.Early = Tier{}, Tier{}
	case noRecord && d.Open:
		res.Code = CodeNotYet
		res.Late, res.Early = Tier{}, Tier{}
	case noRecord:
		res.Code, res.Absent, res.Cut = CodeAbsent, true, r.TKCutPercent
		res.Late, res.Early = Tier{}, Tier{}
	default:
		res.Present = true
		res.Cut = res.Late.CutPercent + res.Early.CutPercent
		switch {
		case res.Late != (Tier{}) && res.Early != (Tier{}):
			res.Code = CodeLateEarly
		case res.Late != (Tier{}):
			res.Code = CodeLate
		case res.Early != (Tier{}):
			res.Code = CodeEarly
		default:
			res.Code = CodePresent
		}
	}
	return res, nil
}

// partDay applies izin datang terlambat (late arrival excused until At:
// lateness counts from At) and izin pulang cepat (leaving from At is not
// early; earlier leaving counts up to At). A missing check-in or check-out
// stays missing: the izin excuses a time, not the absence of a record.
func (r Rules) partDay(c *Config, res *DayResult, in DayInput) error {
	var p plan
	planned := false
	for _, x := range in.Exceptions {
		if !planned {
			var err error
			if p, err = c.planFor(in.Date, in.Shift); err != nil {
				return fmt.Errorf("derive %s: %w", in.Date, err)
			}
			planned = true
		}
		at := p.at(after(x.At, p.l.inFrom, false))
		switch x.Effect {
		case EffectExcuseLate:
			res.Exception = x.Code
			if res.CheckIn != nil {
				from := res.Start
				if at.After(from) {
					from = at
				}
				res.LateMinutes = max(0, wholeMinutes(from, res.CheckIn.Time))
				res.Late = tierFor(c.LateTiers, res.LateMinutes)
			}
		case EffectExcuseEarly:
			res.Exception = x.Code
			if res.CheckOut != nil {
				until := res.End
				if at.Before(until) {
					until = at
				}
				res.EarlyMinutes = max(0, wholeMinutes(res.CheckOut.Time, until))
				res.Early = tierFor(c.EarlyTiers, res.EarlyMinutes)
			}
		}
	}
	if res.Exception != "" && res.Status != StatusPendingSync && res.Status != StatusNoRecord {
		switch {
		case res.Late != (Tier{}):
			res.Status = StatusLate
		case res.Early != (Tier{}):
			res.Status = StatusEarlyLeave
		default:
			res.Status = StatusPresent
		}
	}
	return nil
}

// Month sums one person's days for the LB.1. Add each day, then read
// CutPercent (capped by the rules' monthly cap).
type Month struct {
	WorkDays, Present, Absent, Pending, NotYet int
	// Tiers counts TL1..TL4 and PSW1..PSW4 by tier name.
	Tiers map[string]int
	// Exceptions counts days per exception type code.
	Exceptions map[string]int
	// RawCutPercent is the uncapped sum of the days' cuts.
	RawCutPercent float64
	// Capped: the cap cut RawCutPercent down.
	Capped     bool
	CutPercent float64
}

// NewMonth returns an empty month.
func NewMonth() *Month { return &Month{Tiers: map[string]int{}, Exceptions: map[string]int{}} }

// Add counts one day under the rules' cap.
func (m *Month) Add(r Rules, d DayResult) {
	if !d.Working {
		return
	}
	m.WorkDays++
	switch {
	case d.Present:
		m.Present++
	case d.Absent:
		m.Absent++
	case d.Code == CodePending:
		m.Pending++
	case d.Code == CodeNotYet:
		m.NotYet++
	}
	if d.Exception != "" {
		m.Exceptions[d.Exception]++
	}
	if d.Late.Name != "" {
		m.Tiers[d.Late.Name]++
	}
	if d.Early.Name != "" {
		m.Tiers[d.Early.Name]++
	}
	m.RawCutPercent += d.Cut
	m.CutPercent, m.Capped = m.RawCutPercent, false
	if m.CutPercent > r.MonthlyCapPercent {
		m.CutPercent, m.Capped = r.MonthlyCapPercent, true
	}
}
