package attendance

import (
	_ "embed" // the default exception types are data
	"errors"
	"fmt"
	"regexp"

	"github.com/BurntSushi/toml"
)

// Effect is what an approved exception (keterangan) does to the days it
// covers. Which type has which effect is regulation, so it is data
// (TypeSet), not code.
type Effect string

// Effects of exception types.
const (
	// EffectPresent counts the day as present with no cut (dinas luar).
	EffectPresent Effect = "present"
	// EffectExcused is an excused absence: not present, no cut (cuti, sakit, izin).
	EffectExcused Effect = "excused"
	// EffectExcuseLate excuses late arrival up to the exception's time
	// (izin datang terlambat); the rest of the day is graded as usual.
	EffectExcuseLate Effect = "excuse_late"
	// EffectExcuseEarly excuses leaving from the exception's time on
	// (izin pulang cepat); the rest of the day is graded as usual.
	EffectExcuseEarly Effect = "excuse_early"
)

// PartDay reports whether the effect covers only part of a day (and so
// needs a time).
func (e Effect) PartDay() bool { return e == EffectExcuseLate || e == EffectExcuseEarly }

func (e Effect) valid() bool {
	return e == EffectPresent || e == EffectExcused || e.PartDay()
}

// ExceptionType is one kind of keterangan: its report code (letters in the
// LB.1 column header), its name in Bahasa Indonesia and its effect.
type ExceptionType struct {
	Code   string `toml:"code" json:"code"`
	Name   string `toml:"name" json:"name"`
	Effect Effect `toml:"effect" json:"effect"`
	// Active: false keeps an old type readable for past exceptions but
	// refuses new ones.
	Active bool `toml:"active" json:"active"`
}

// TypeSet is a versioned list of exception types (one per regency).
type TypeSet struct {
	// Version increases with every edit, so a recap can say which list
	// it was computed with.
	Version int             `toml:"version" json:"version"`
	Types   []ExceptionType `toml:"types" json:"types"`
}

// Errors callers act on.
var (
	// ErrInvalidTypes: an exception type list breaks a rule.
	ErrInvalidTypes = errors.New("invalid exception types")
	// ErrUnknownType: an exception names a type not in the list.
	ErrUnknownType = errors.New("unknown exception type")
)

//go:embed exception_types.toml
var defaultTypesTOML []byte

// DefaultTypes returns the built-in exception types (see
// exception_types.toml: the usual PNS leave kinds of PP 11/2017 and BKN
// rules, plus izin, dinas luar, tugas belajar and the two part-day izin).
// Each call returns a fresh copy.
func DefaultTypes() TypeSet {
	var ts TypeSet
	if _, err := toml.Decode(string(defaultTypesTOML), &ts); err != nil {
		panic("attendance: embedded exception_types.toml: " + err.Error())
	}
	if err := ts.Validate(); err != nil {
		panic("attendance: embedded exception_types.toml: " + err.Error())
	}
	return ts
}

var codeRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,5}$`)

// reservedCodes are the status codes of the reports themselves.
var reservedCodes = map[string]bool{CodePresent: true, CodeLate: true, CodeEarly: true, CodeLateEarly: true,
	CodeAbsent: true, CodePending: true, CodeHoliday: true, CodeCollective: true, CodeOff: true, CodeNotYet: true}

// Validate checks codes (1-6 capital letters or digits, unique, not a
// report status code), names and effects.
func (ts TypeSet) Validate() error {
	if len(ts.Types) == 0 {
		return fmt.Errorf("%w: the list is empty", ErrInvalidTypes)
	}
	seen := map[string]bool{}
	for i, t := range ts.Types {
		switch {
		case !codeRE.MatchString(t.Code):
			return fmt.Errorf("%w: types[%d].code %q: want 1-6 capital letters or digits", ErrInvalidTypes, i, t.Code)
		case reservedCodes[t.Code]:
			return fmt.Errorf("%w: types[%d].code %q is a report status code", ErrInvalidTypes, i, t.Code)
		case seen[t.Code]:
			return fmt.Errorf("%w: types[%d].code %q listed twice", ErrInvalidTypes, i, t.Code)
		case t.Name == "" || len(t.Name) > 80:
			return fmt.Errorf("%w: types[%d].name: want 1-80 characters", ErrInvalidTypes, i)
		case !t.Effect.valid():
			return fmt.Errorf("%w: types[%d].effect %q: want present, excused, excuse_late or excuse_early", ErrInvalidTypes, i, t.Effect)
		}
		seen[t.Code] = true
	}
	return nil
}

// Lookup returns the type with code.
func (ts TypeSet) Lookup(code string) (ExceptionType, error) {
	for _, t := range ts.Types {
		if t.Code == code {
			return t, nil
		}
	}
	return ExceptionType{}, fmt.Errorf("%w: %q", ErrUnknownType, code)
}

// Exception is an approved keterangan as the day rule sees it: the type's
// code and effect, and for part-day effects the clock time (izin datang
// terlambat until At, izin pulang cepat from At).
type Exception struct {
	Code   string
	Effect Effect
	At     Clock
}
