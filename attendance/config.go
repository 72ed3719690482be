package attendance

import (
	"bytes"
	_ "embed" // the example schedule is the built-in default
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // kiosks may lack /usr/share/zoneinfo; WIB/WITA/WIT must still load

	"github.com/BurntSushi/toml"
)

// ConfigVersion is the schedule file format this package reads. A file with
// another version is refused rather than half-understood, because a
// misread rule silently changes somebody's allowance.
const ConfigVersion = 1

// Errors callers act on. Every configuration problem wraps ErrInvalidConfig so
// a service can refuse to start on any of them with one errors.Is check.
var (
	// ErrInvalidConfig: the schedule file is malformed or breaks a rule.
	ErrInvalidConfig = errors.New("invalid schedule config")
	// ErrUnknownKey: the file has a key this version does not know (a typo
	// such as "chek_in" must not silently fall back to a default).
	ErrUnknownKey = errors.New("unknown key")
	// ErrUnsupportedVersion: the file's version is not ConfigVersion.
	ErrUnsupportedVersion = errors.New("unsupported schedule config version")
	// ErrUnknownShift: a derivation asked for a shift the unit does not define.
	ErrUnknownShift = errors.New("unknown shift")
	// ErrNotValidated: a Config built in code was used before Validate.
	ErrNotValidated = errors.New("schedule config not validated")
	// ErrInvalidEvent: an event passed to Derive has no time or an unknown kind.
	ErrInvalidEvent = errors.New("invalid attendance event")
)

//go:embed schedule.example.toml
var exampleTOML []byte

// Config is the schedule of one unit (OPD, puskesmas, school): when its
// people are expected, which clock-ins count, and how lateness is tiered for
// the TPP allowance. It is read from a versioned TOML file (see
// schedule.example.toml). Obtain one from Parse, Load or DefaultConfig, or
// build it in code and call Validate; after that treat it as read-only (it is
// then safe for concurrent use).
type Config struct {
	// Version of the file format; must equal ConfigVersion.
	Version int `toml:"version"`
	// Unit names the work unit this schedule belongs to (free text).
	Unit string `toml:"unit"`
	// TimeZone is the IANA zone of the unit: Asia/Jakarta (WIB),
	// Asia/Makassar (WITA) or Asia/Jayapura (WIT). Working days and clock
	// times are local to it.
	TimeZone string `toml:"time_zone"`
	// Cooldown is how long the kiosk ignores the same person after an event
	// (0 disables it).
	Cooldown Duration `toml:"cooldown"`
	// WorkDays are the office days of the regular and Ramadan schedules.
	WorkDays []Weekday `toml:"work_days"`
	// Holidays are the unit's non-working dates (national and regional).
	Holidays []Date `toml:"holidays"`
	// Regular is the schedule outside any special period.
	Regular Schedule `toml:"regular"`
	// Ramadan lists periods (inclusive date ranges) with reduced hours.
	Ramadan []Period `toml:"ramadan"`
	// Shifts are named schedules for units that work in shifts; a person's
	// roster says which one applies on a date.
	Shifts []Shift `toml:"shifts"`
	// LateTiers (TL1..TL4) grade minutes of late arrival.
	LateTiers []Tier `toml:"late_tiers"`
	// EarlyTiers (PSW1..PSW4) grade minutes of early leave.
	EarlyTiers []Tier `toml:"early_tiers"`

	loc *time.Location // set by Validate
}

// Schedule is a set of working hours plus the check-in and check-out windows
// the kiosk uses to decide whether a face is arriving or leaving.
type Schedule struct {
	// CheckIn is when a recognition counts as arrival.
	CheckIn Window `toml:"check_in"`
	// CheckOut is when a recognition counts as departure.
	CheckOut Window `toml:"check_out"`
	// Hours give the start and end of the day per weekday.
	Hours []Hours `toml:"hours"`
}

// Window is a half-open wall-clock interval [From, To): From is included, To
// is not. To at or before From means the window crosses midnight; "24:00" is
// allowed as To so a window can include 23:59.
type Window struct {
	From Clock `toml:"from"`
	To   Clock `toml:"to"`
}

// Hours are the expected start and end of work on some weekdays. End at or
// before Start means the day ends after midnight.
type Hours struct {
	Days  []Weekday `toml:"days"`
	Start Clock     `toml:"start"`
	End   Clock     `toml:"end"`
}

// Period is a date range with its own schedule (Ramadan). Windows left unset
// (both 00:00) are inherited from the regular schedule by Validate. The copy
// is made once: after changing Regular's windows in code, reset the
// inherited ones before calling Validate again.
type Period struct {
	Name     string `toml:"name"`
	From     Date   `toml:"from"`
	To       Date   `toml:"to"` // inclusive
	Schedule        // check_in, check_out, hours
}

// Shift is a named schedule for rostered staff (e.g. a puskesmas night shift
// 21:00–07:00). Shifts run on every listed weekday including holidays, since
// the services that roster shifts stay open on holidays. Unset windows are
// inherited from the regular schedule.
type Shift struct {
	Name     string `toml:"name"`
	Schedule        // check_in, check_out, hours (hours[].days = the shift's days)
}

// Tier is one grade of late arrival or early leave: From..To minutes
// inclusive (To = 0: no upper bound) and the TPP allowance cut it carries,
// in percent. Tiers are data because regional regulations differ.
type Tier struct {
	Name       string  `toml:"name"`
	From       int     `toml:"from"`
	To         int     `toml:"to"`
	CutPercent float64 `toml:"cut_percent"`
}

// Parse reads and validates a schedule file. Unknown keys are an error.
func Parse(data []byte) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: %w: %s", ErrInvalidConfig, ErrUnknownKey, unknownKeys(und))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// unknownKeys lists undecoded keys sorted, reporting "regular.chek_in" once
// rather than again for each key inside it.
func unknownKeys(und []toml.Key) string {
	all := make([]string, 0, len(und))
	for _, k := range und {
		all = append(all, k.String())
	}
	sort.Strings(all)
	var keys []string
	for _, k := range all {
		if n := len(keys); n > 0 && strings.HasPrefix(k, keys[n-1]+".") {
			continue
		}
		keys = append(keys, k)
	}
	return strings.Join(keys, ", ")
}

// Load reads and validates the schedule file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schedule config %q: %w", path, err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load schedule config %q: %w", path, err)
	}
	return c, nil
}

// DefaultConfig returns the national default schedule (Perpres 21/2023
// hours in WIB, TL/PSW tiers 1–30/31–60/61–90/>=91 minutes, 10-minute
// cooldown), parsed from the embedded schedule.example.toml. Each call
// returns a fresh copy the caller may modify and re-Validate.
func DefaultConfig() *Config {
	c, err := Parse(exampleTOML)
	if err != nil {
		panic("attendance: embedded schedule.example.toml is invalid: " + err.Error())
	}
	return c
}

// ExampleTOML returns the commented example schedule file, for tools that
// write a starting configuration for a new unit.
func ExampleTOML() []byte { return bytes.Clone(exampleTOML) }

// Location returns the unit's time zone (nil before Validate).
func (c *Config) Location() *time.Location { return c.loc }
