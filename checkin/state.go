package checkin

import (
	"image"
	"time"
)

// StateKind names what the kiosk is doing; the GUI picks its text, colour
// and sound from it. Values are stable strings (they also appear in the
// watch mode's JSON and in logs).
type StateKind string

// State kinds, in the order a successful check-in passes through them.
const (
	StateIdle            StateKind = "idle"             // nobody in front of the camera
	StateGuiding         StateKind = "guiding"          // a face, not yet usable: see Guidance
	StateIdentifying     StateKind = "identifying"      // collecting agreeing frames: see Progress
	StateChallenge       StateKind = "challenge"        // identified; waiting for the liveness action in Challenge
	StateRecorded        StateKind = "recorded"         // an event was written durably: see Result
	StateAlreadyRecorded StateKind = "already_recorded" // within the cooldown: see Result.Previous
	StateOutsideHours    StateKind = "outside_hours"    // identified, but in no check-in/out window: nothing written
	StateUnknown         StateKind = "unknown"          // a face nobody enrolled matches (or too ambiguous)
	StateLivenessFailed  StateKind = "liveness_failed"  // the liveness check was not passed in time
	StateFallback        StateKind = "fallback"         // too many failed attempts: offer NIP + PIN
	StateError           StateKind = "error"            // camera, recognition or storage failure: see Err
)

// Guidance is the one instruction that would most improve the face; the
// GUI translates it ("Dekatkan wajah Anda").
type Guidance string

// Guidance values, most important first.
const (
	GuideNone         Guidance = ""
	GuideOnePerson    Guidance = "one_person"    // two faces of similar size
	GuideComeCloser   Guidance = "come_closer"   // face too small
	GuideCentre       Guidance = "centre"        // face touches the frame's edge
	GuideLookStraight Guidance = "look_straight" // head turned
	GuideMoreLight    Guidance = "more_light"    // too dark (or too bright: "less_light")
	GuideLessLight    Guidance = "less_light"    // overexposed
	GuideHoldStill    Guidance = "hold_still"    // blurred
)

// Challenge is the liveness action asked of the person.
type Challenge string

// Challenges. Left and right are the person's own left and right, so the
// GUI can say "turn your head to the left" whatever the camera mirroring.
const (
	ChallengeNone      Challenge = ""
	ChallengeBlink     Challenge = "blink"
	ChallengeTurnLeft  Challenge = "turn_left"
	ChallengeTurnRight Challenge = "turn_right"
)

// Person is who the kiosk identified, as shown on the result card.
type Person struct {
	NIP  string `json:"nip"`
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

// Result is what a decided attempt produced: the event written (or, for
// already_recorded, the earlier one) and its meaning under the rules.
type Result struct {
	EventID  string    `json:"event_id,omitempty"`
	Kind     string    `json:"kind"`               // "in", "out" or "manual"
	Time     time.Time `json:"time"`               // when it was recorded, in the unit's zone
	Previous time.Time `json:"previous,omitzero"`  // already_recorded: the earlier event's time
	Late     int       `json:"late_minutes"`       // in: minutes after the start of day (0 = on time)
	Early    int       `json:"early_minutes"`      // out: minutes before the end of day
	Tier     string    `json:"tier,omitempty"`     // TL1..TL4 or PSW1..PSW4, empty when on time
	Trial    bool      `json:"trial,omitempty"`    // a "try it now" check-in: nothing was written
	Liveness string    `json:"liveness,omitempty"` // liveness verdict stored with the event
	Distance float64   `json:"distance"`
	Margin   float64   `json:"margin"`
}

// State is one report of the pipeline. Fields that do not apply to Kind
// are zero. A State is a value: the GUI may keep it.
type State struct {
	Kind StateKind `json:"state"`
	At   time.Time `json:"at"`

	// Frame geometry, for drawing the face box over the preview: Box is in
	// the coordinates of a frame of FrameSize (unmirrored).
	Box       image.Rectangle `json:"box"`
	FrameSize image.Point     `json:"frame_size"`

	Guidance  Guidance  `json:"guidance,omitempty"`
	Challenge Challenge `json:"challenge,omitempty"`
	// Progress is how far identification or the challenge has got, 0-1.
	Progress float64 `json:"progress,omitempty"`

	Person *Person `json:"person,omitempty"`
	Result *Result `json:"result,omitempty"`

	// Attempts counts failed attempts (unknown, liveness failed) in the
	// current presence; at MaxAttempts the pipeline offers the fallback.
	Attempts int `json:"attempts,omitempty"`

	// Err is set for StateError; Reason is a stable machine string for
	// unknown, liveness_failed and error (e.g. "too_far", "timeout",
	// "storage_full", "camera").
	Err    error  `json:"-"`
	Reason string `json:"reason,omitempty"`
}

// Terminal reports whether the state ends an attempt (the GUI shows a
// result card for it).
func (k StateKind) Terminal() bool {
	switch k {
	case StateRecorded, StateAlreadyRecorded, StateOutsideHours, StateUnknown, StateLivenessFailed, StateFallback, StateError:
		return true
	}
	return false
}
