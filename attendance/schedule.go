package attendance

import (
	"fmt"
	"slices"
	"time"
)

// minutesPerDay is one wall-clock day in minutes.
const minutesPerDay = int(EndOfDay)

// RegularSchedule is the Day.Schedule name of the regular schedule.
const RegularSchedule = "regular"

// layout is the shape of one working day, in minutes after the local
// midnight that begins it. Each point is the first occurrence of its clock
// time at (or, for the end of an interval, strictly after) the previous
// point, which is how a night shift's 07:00 end lands on the next day.
type layout struct {
	inFrom, inTo   int // check-in window [inFrom, inTo)
	outFrom, outTo int // check-out window [outFrom, outTo)
	start, end     int // expected start and end of work
}

// after returns the first occurrence of c at (strict: after) ref minutes.
func after(c Clock, ref int, strict bool) int {
	v := int(c)
	for v < ref || (strict && v == ref) {
		v += minutesPerDay
	}
	return v
}

func makeLayout(in, out Window, h Hours) layout {
	l := layout{inFrom: int(in.From)}
	l.inTo = after(in.To, l.inFrom, true)
	l.outFrom = after(out.From, l.inTo, false)
	l.outTo = after(out.To, l.outFrom, true)
	l.start = after(h.Start, l.inFrom, false)
	l.end = after(h.End, l.start, true)
	return l
}

// plan is what the schedule says about one date for one person: which
// schedule applies, whether it is a working day, and the day's instants.
type plan struct {
	date    Date
	loc     *time.Location
	name    string
	holiday bool
	dayOff  bool
	l       layout
}

// at converts minutes after the plan's local midnight to an instant.
func (p plan) at(minutes int) time.Time {
	return time.Date(p.date.Year, p.date.Month, p.date.Day, 0, minutes, 0, 0, p.loc)
}

// phase places t in the plan's day: in or out window, between them, or not
// part of this day at all (inDay false). Seconds are ignored, as on a clock
// face: 11:59:59 is still 11:59.
func (p plan) phase(t time.Time) (ph Phase, inDay bool) {
	m := t.Truncate(time.Minute)
	in := func(from, to int) bool { return !m.Before(p.at(from)) && m.Before(p.at(to)) }
	switch {
	case in(p.l.inFrom, p.l.inTo):
		return PhaseIn, true
	case in(p.l.outFrom, p.l.outTo):
		return PhaseOut, true
	case in(p.l.inFrom, p.l.outTo):
		return PhaseOutside, true
	default:
		return PhaseOutside, false
	}
}

// planFor resolves the schedule that applies on date: the named shift if
// shift is non-empty, else the Ramadan period containing the date, else the
// regular schedule.
func (c *Config) planFor(date Date, shift string) (plan, error) {
	if c.loc == nil {
		return plan{}, ErrNotValidated
	}
	p := plan{date: date, loc: c.loc}
	var s *Schedule
	if shift != "" {
		i := slices.IndexFunc(c.Shifts, func(x Shift) bool { return x.Name == shift })
		if i < 0 {
			return plan{}, fmt.Errorf("%w: %q", ErrUnknownShift, shift)
		}
		s, p.name = &c.Shifts[i].Schedule, shift
	} else {
		s, p.name = &c.Regular, RegularSchedule
		for i := range c.Ramadan {
			r := &c.Ramadan[i]
			if !date.Before(r.From) && !r.To.Before(date) {
				s, p.name = &r.Schedule, r.Name
				break
			}
		}
		p.holiday = slices.Contains(c.Holidays, date)
		p.dayOff = !slices.Contains(c.WorkDays, Weekday(date.Weekday()))
	}
	h, ok := hoursFor(s.Hours, Weekday(date.Weekday()))
	if !ok {
		p.dayOff = true
	}
	p.l = makeLayout(s.CheckIn, s.CheckOut, h)
	return p, nil
}

func hoursFor(hs []Hours, d Weekday) (Hours, bool) {
	for _, h := range hs {
		if slices.Contains(h.Days, d) {
			return h, true
		}
	}
	return Hours{}, false
}
