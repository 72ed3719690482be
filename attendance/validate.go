package attendance

import (
	"fmt"
	"strconv"
	"time"
)

// maxCooldown bounds the cooldown: longer than a day would hide the next
// day's check-in.
const maxCooldown = 24 * time.Hour

// invalid builds a validation error naming the key and its value.
func invalid(key, value, reason string) error {
	return fmt.Errorf("%w: %s = %s: %s", ErrInvalidConfig, key, value, reason)
}

func q(s string) string { return strconv.Quote(s) }

// Validate checks the configuration, loads its time zone and fills windows
// that Ramadan periods and shifts inherit from the regular schedule. Parse
// and Load call it; call it yourself after building or changing a Config in
// code. Every error wraps ErrInvalidConfig and names the key and the value.
func (c *Config) Validate() error {
	if c.Version != ConfigVersion {
		return fmt.Errorf("%w: %w: version = %d: this build reads version %d",
			ErrInvalidConfig, ErrUnsupportedVersion, c.Version, ConfigVersion)
	}
	if c.TimeZone == "" {
		return invalid("time_zone", q(""), "required (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return invalid("time_zone", q(c.TimeZone), "unknown IANA time zone")
	}
	if c.Cooldown < 0 || time.Duration(c.Cooldown) > maxCooldown {
		return invalid("cooldown", q(c.Cooldown.String()), "must be between 0 and 24h")
	}
	work, err := daySet("work_days", c.WorkDays)
	if err != nil {
		return err
	}
	if len(work) == 0 {
		return invalid("work_days", "[]", "at least one work day is required")
	}
	seen := make(map[Date]bool, len(c.Holidays))
	for i, h := range c.Holidays {
		key := fmt.Sprintf("holidays[%d]", i)
		if h.IsZero() {
			return invalid(key, q(""), "date required")
		}
		if seen[h] {
			return invalid(key, q(h.String()), "listed twice")
		}
		seen[h] = true
	}
	if err := validateSchedule("regular", &c.Regular, Schedule{}, work); err != nil {
		return err
	}
	if err := c.validateRamadan(work); err != nil {
		return err
	}
	if err := c.validateShifts(); err != nil {
		return err
	}
	if err := validateTiers("late_tiers", c.LateTiers); err != nil {
		return err
	}
	if err := validateTiers("early_tiers", c.EarlyTiers); err != nil {
		return err
	}
	c.loc = loc
	return nil
}

func (c *Config) validateRamadan(work map[Weekday]bool) error {
	for i := range c.Ramadan {
		p := &c.Ramadan[i]
		key := fmt.Sprintf("ramadan[%d]", i)
		if p.Name == "" {
			return invalid(key+".name", q(""), "name required")
		}
		if p.From.IsZero() || p.To.IsZero() {
			return invalid(key+".from/to", q(p.From.String()+".."+p.To.String()), "both dates required")
		}
		if p.To.Before(p.From) {
			return invalid(key+".to", q(p.To.String()), "before from "+q(p.From.String()))
		}
		for j := range i {
			o := c.Ramadan[j]
			if !p.To.Before(o.From) && !o.To.Before(p.From) {
				return invalid(key+".from", q(p.From.String()), fmt.Sprintf("overlaps ramadan[%d] %q", j, o.Name))
			}
		}
		if err := validateSchedule(key, &p.Schedule, c.Regular, work); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateShifts() error {
	names := make(map[string]bool, len(c.Shifts))
	for i := range c.Shifts {
		s := &c.Shifts[i]
		key := fmt.Sprintf("shifts[%d]", i)
		if s.Name == "" {
			return invalid(key+".name", q(""), "name required")
		}
		if names[s.Name] {
			return invalid(key+".name", q(s.Name), "shift defined twice")
		}
		names[s.Name] = true
		if len(s.Hours) == 0 {
			return invalid(key+".hours", "[]", "a shift needs at least one hours entry")
		}
		if err := validateSchedule(key, &s.Schedule, c.Regular, nil); err != nil {
			return err
		}
	}
	return nil
}

// validateSchedule checks s, inheriting unset windows from parent. If work
// is non-nil every work day needs exactly one hours entry and no other day
// may have one; otherwise (shifts) each day may appear at most once.
func validateSchedule(key string, s *Schedule, parent Schedule, work map[Weekday]bool) error {
	if s.CheckIn == (Window{}) {
		s.CheckIn = parent.CheckIn
	}
	if s.CheckOut == (Window{}) {
		s.CheckOut = parent.CheckOut
	}
	for _, nw := range []struct {
		name string
		w    Window
	}{{"check_in", s.CheckIn}, {"check_out", s.CheckOut}} {
		name, w := nw.name, nw.w
		if w == (Window{}) {
			return invalid(key+"."+name, "{}", "window required (from and to)")
		}
		if w.From >= EndOfDay {
			return invalid(key+"."+name+".from", q(w.From.String()), "must be before 24:00")
		}
	}
	covered := map[Weekday]string{}
	for i, h := range s.Hours {
		hk := fmt.Sprintf("%s.hours[%d]", key, i)
		if len(h.Days) == 0 {
			return invalid(hk+".days", "[]", "at least one day required")
		}
		for _, d := range h.Days {
			if prev, dup := covered[d]; dup {
				return invalid(hk+".days", q(d.String()), "already given hours in "+prev)
			}
			if work != nil && !work[d] {
				return invalid(hk+".days", q(d.String()), "not in work_days")
			}
			covered[d] = hk
		}
		if h.Start >= EndOfDay {
			return invalid(hk+".start", q(h.Start.String()), "must be before 24:00")
		}
		l := makeLayout(s.CheckIn, s.CheckOut, h)
		if l.outTo-l.inFrom > int(EndOfDay) {
			return invalid(key+".check_out.to", q(s.CheckOut.To.String()),
				"check-in window start to check-out window end spans more than 24 hours, so consecutive days would overlap")
		}
		if l.end > l.outTo {
			return invalid(hk+".end", q(h.End.String()),
				"after the end of the check-out window "+q(s.CheckOut.To.String())+"; nobody could check out on time")
		}
	}
	for d := Weekday(0); d < 7; d++ {
		if _, ok := covered[d]; work[d] && !ok {
			return invalid(key+".hours", q(d.String()), "work day has no start/end hours")
		}
	}
	return nil
}

// daySet checks a weekday list for duplicates.
func daySet(key string, days []Weekday) (map[Weekday]bool, error) {
	set := make(map[Weekday]bool, len(days))
	for i, d := range days {
		if set[d] {
			return nil, invalid(fmt.Sprintf("%s[%d]", key, i), q(d.String()), "listed twice")
		}
		set[d] = true
	}
	return set, nil
}

// validateTiers requires contiguous tiers starting at 1 minute, the last
// one open-ended, so every positive number of minutes has exactly one tier.
func validateTiers(key string, tiers []Tier) error {
	if len(tiers) == 0 {
		return invalid(key, "[]", "at least one tier required")
	}
	names := map[string]bool{}
	next := 1
	for i, t := range tiers {
		tk := fmt.Sprintf("%s[%d]", key, i)
		if t.Name == "" || names[t.Name] {
			return invalid(tk+".name", q(t.Name), "tier names must be present and unique")
		}
		names[t.Name] = true
		if t.From != next {
			return invalid(tk+".from", strconv.Itoa(t.From), fmt.Sprintf("must be %d (tiers are contiguous from 1 minute)", next))
		}
		last := i == len(tiers)-1
		switch {
		case last && t.To != 0:
			return invalid(tk+".to", strconv.Itoa(t.To), "the last tier must be open-ended (to = 0 or omitted)")
		case !last && t.To < t.From:
			return invalid(tk+".to", strconv.Itoa(t.To), fmt.Sprintf("must be at least from (%d)", t.From))
		}
		if t.CutPercent < 0 || t.CutPercent > 100 {
			return invalid(tk+".cut_percent", strconv.FormatFloat(t.CutPercent, 'g', -1, 64), "must be between 0 and 100")
		}
		next = t.To + 1
	}
	return nil
}
