package attendance

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Kind says what a raw event claims to be.
type Kind string

// Event kinds. A manual event (NIP + PIN fallback) carries no direction of
// its own: it counts as in or out by the window its time falls in, and only
// once a supervisor has approved it.
const (
	KindIn     Kind = "in"
	KindOut    Kind = "out"
	KindManual Kind = "manual"
)

// Event is one raw attendance record of a person as a kiosk recorded it.
// Raw events are never rewritten; Derive reads them.
type Event struct {
	Kind     Kind
	Approved bool      // manual events count only when approved
	Time     time.Time // device time
	DeviceID string
	Synced   bool // false: still only on the kiosk (known but not yet on the server)
}

// Status is the payroll-facing verdict for one person and day.
type Status string

// Statuses, see Derive for how they are chosen.
const (
	StatusPresent     Status = "present"
	StatusLate        Status = "late"
	StatusEarlyLeave  Status = "early_leave"
	StatusNoRecord    Status = "no_record"
	StatusPendingSync Status = "pending_sync"
	StatusHoliday     Status = "holiday"
	StatusDayOff      Status = "day_off"
)

// Day is the derived attendance of one person on one working day.
type Day struct {
	Date     Date
	Schedule string // RegularSchedule, a Ramadan period name, or a shift name
	Status   Status
	// Start and End are the expected start and end of work (zero on a
	// holiday or day off), in the unit's time zone.
	Start, End time.Time
	// CheckIn is the first arrival, CheckOut the last departure, merged over
	// all devices; nil when there is none.
	CheckIn, CheckOut *Event
	// LateMinutes and EarlyMinutes compare whole clock minutes (seconds are
	// ignored): a check-in at 07:30:59 against 07:30 is 0 minutes late.
	LateMinutes, EarlyMinutes int
	// Late (TL) and Early (PSW) are the tiers reached; zero Tier = no cut.
	Late, Early Tier
	// NoCheckIn / NoCheckOut flag a missing arrival / departure. Once the
	// relevant window has closed they carry the last (heaviest) tier.
	NoCheckIn, NoCheckOut bool
	// Pending counts this day's events not yet synced; Unapproved counts
	// manual events still awaiting a supervisor.
	Pending, Unapproved int
	// Open: the check-out window has not closed yet at the given now, so the
	// verdict may still change.
	Open bool
}

// CutPercent is the total TPP cut of the day (late plus early-leave tier).
func (d Day) CutPercent() float64 { return d.Late.CutPercent + d.Early.CutPercent }

// Derive computes one person's attendance on date from their raw events
// (from any number of devices, in any order, any time zone). shift names a
// rostered shift or is "" for the regular/Ramadan schedule. now is the
// caller's clock, used only to tell a day still in progress from a closed
// one; pass a time after the day to get a final verdict.
//
// Status is chosen in this order: holiday, day_off, pending_sync (any of the
// day's events unsynced: never reported as no_record), no_record (no
// approved event at all), late (late minutes or no check-in), early_leave,
// present. A late arrival that also left early is "late" with both tiers set.
func (c *Config) Derive(date Date, shift string, events []Event, now time.Time) (Day, error) {
	p, err := c.planFor(date, shift)
	if err != nil {
		return Day{}, fmt.Errorf("derive %s: %w", date, err)
	}
	d := Day{Date: date, Schedule: p.name, Open: now.Before(p.at(p.l.outTo))}

	byTime := func(a, b Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.DeviceID, b.DeviceID))
	}
	sorted := events // the recap hands over sorted events: no copy then
	if !slices.IsSortedFunc(sorted, byTime) {
		sorted = slices.Clone(events)
		slices.SortStableFunc(sorted, byTime)
	}
	for i := range sorted {
		ev := &sorted[i]
		if ev.Time.IsZero() {
			return Day{}, fmt.Errorf("derive %s: %w: event from device %q has no time", date, ErrInvalidEvent, ev.DeviceID)
		}
		ph, inDay := p.phase(ev.Time)
		if !inDay {
			continue
		}
		if !ev.Synced {
			d.Pending++
		}
		dir := ev.Kind
		switch ev.Kind {
		case KindIn, KindOut:
		case KindManual:
			if !ev.Approved {
				d.Unapproved++
				continue
			}
			switch ph {
			case PhaseIn:
				dir = KindIn
			case PhaseOut:
				dir = KindOut
			default:
				continue // between the windows: no direction to give it
			}
		default:
			return Day{}, fmt.Errorf("derive %s: %w: kind %q from device %q", date, ErrInvalidEvent, ev.Kind, ev.DeviceID)
		}
		switch {
		case dir == KindIn && d.CheckIn == nil:
			d.CheckIn = ev
		case dir == KindOut:
			d.CheckOut = ev // sorted ascending: the last one wins
		}
	}
	d.CheckIn, d.CheckOut = cloneEvent(d.CheckIn), cloneEvent(d.CheckOut)

	switch {
	case p.holiday:
		d.Status = StatusHoliday
		return d, nil
	case p.dayOff:
		d.Status = StatusDayOff
		return d, nil
	}
	c.grade(&d, p, now)
	switch {
	case d.Pending > 0:
		d.Status = StatusPendingSync
	case d.CheckIn == nil && d.CheckOut == nil:
		d.Status = StatusNoRecord
	case d.Late != (Tier{}):
		d.Status = StatusLate
	case d.Early != (Tier{}):
		d.Status = StatusEarlyLeave
	default:
		d.Status = StatusPresent
	}
	return d, nil
}

// grade fills expected times, minutes and tiers of a working day.
//
// A missing check-in is graded as the last late tier (TL4, "≥ 91 minutes or
// no record") once the check-in window has closed, and a missing check-out
// as the last early tier (PSW4) once the check-out window has closed. A day
// with no record at all therefore costs TL4 + PSW4 (2 % + 2 % by default),
// which equals the 4 % of an unexcused absence. Leave, sick notes and
// official travel are the server's business and override this.
func (c *Config) grade(d *Day, p plan, now time.Time) {
	d.Start, d.End = p.at(p.l.start), p.at(p.l.end)
	d.NoCheckIn, d.NoCheckOut = d.CheckIn == nil, d.CheckOut == nil
	if d.CheckIn != nil {
		d.LateMinutes = max(0, wholeMinutes(d.Start, d.CheckIn.Time))
	}
	if d.CheckOut != nil {
		d.EarlyMinutes = max(0, wholeMinutes(d.CheckOut.Time, d.End))
	}
	switch {
	case d.LateMinutes > 0:
		d.Late = tierFor(c.LateTiers, d.LateMinutes)
	case d.NoCheckIn && !now.Before(p.at(p.l.inTo)):
		d.Late = c.LateTiers[len(c.LateTiers)-1]
	}
	switch {
	case d.EarlyMinutes > 0:
		d.Early = tierFor(c.EarlyTiers, d.EarlyMinutes)
	case d.NoCheckOut && !d.Open:
		d.Early = c.EarlyTiers[len(c.EarlyTiers)-1]
	}
}

// wholeMinutes is b − a in minutes after dropping seconds from both.
func wholeMinutes(a, b time.Time) int {
	return int(b.Truncate(time.Minute).Sub(a.Truncate(time.Minute)) / time.Minute)
}

// tierFor returns the tier containing minutes (validated tiers cover 1..∞).
func tierFor(tiers []Tier, minutes int) Tier {
	for _, t := range tiers {
		if minutes >= t.From && (t.To == 0 || minutes <= t.To) {
			return t
		}
	}
	return Tier{}
}

func cloneEvent(e *Event) *Event {
	if e == nil {
		return nil
	}
	c := *e
	return &c
}
