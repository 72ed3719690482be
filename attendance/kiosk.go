package attendance

import (
	"fmt"
	"time"
)

// Phase says what a recognition at some time of day means for the kiosk.
type Phase string

// Phases. The values of PhaseIn and PhaseOut equal KindIn and KindOut.
const (
	PhaseIn      Phase = "in"      // inside the check-in window: record arrival
	PhaseOut     Phase = "out"     // inside the check-out window: record departure
	PhaseOutside Phase = "outside" // in neither window: record nothing
)

// Classify tells the kiosk whether a recognition at t is a check-in, a
// check-out or outside both windows, and which working day it belongs to.
// The previous day is tried first, so 02:00 in a night shift's check-out
// window belongs to the shift that started the evening before. shift is ""
// for the regular/Ramadan schedule or the name of the person's shift.
func (c *Config) Classify(t time.Time, shift string) (Phase, Date, error) {
	if c.loc == nil {
		return PhaseOutside, Date{}, ErrNotValidated
	}
	today := DateOf(t, c.loc)
	for _, d := range []Date{today.AddDays(-1), today} {
		p, err := c.planFor(d, shift)
		if err != nil {
			return PhaseOutside, Date{}, fmt.Errorf("classify %s: %w", t.Format(time.RFC3339), err)
		}
		if ph, inDay := p.phase(t); inDay {
			return ph, d, nil
		}
	}
	return PhaseOutside, today, nil
}

// Allowed is the kiosk's cooldown: may a new event be recorded for a person
// whose last recorded event was at last (zero: none)? If not, it returns
// that time in the unit's zone for "already recorded at 07:42".
//
// The cooldown is half-open: an attempt exactly Cooldown after the last
// event is allowed, one nanosecond earlier is not. A last event up to
// Cooldown in the future (the device clock was stepped back) also blocks,
// but one further back or ahead does not, so a large clock correction
// cannot lock a person out for hours. The server never relies on this; it
// derives first-in/last-out from all raw events.
func (c *Config) Allowed(last, now time.Time) (ok bool, recordedAt time.Time) {
	cd := time.Duration(c.Cooldown)
	if last.IsZero() || cd <= 0 {
		return true, time.Time{}
	}
	if gap := now.Sub(last); gap < cd && gap > -cd {
		if c.loc != nil {
			last = last.In(c.loc)
		}
		return false, last
	}
	return true, time.Time{}
}
