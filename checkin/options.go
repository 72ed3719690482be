package checkin

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/recognition"
)

// LivenessMode chooses how hard the kiosk checks that a live person, not
// a photo, is in front of it.
type LivenessMode string

// Liveness modes.
const (
	// LivenessOff records as soon as the identity is certain.
	LivenessOff LivenessMode = "off"
	// LivenessBlink waits for a natural blink (open, closed, open) of the
	// identified person, judged against their own open-eye baseline.
	LivenessBlink LivenessMode = "blink"
	// LivenessChallenge asks for a random action (blink, turn left, turn
	// right) that a printed photo or a still image cannot perform.
	LivenessChallenge LivenessMode = "challenge"
)

// ParseLivenessMode reads a mode name from a setting or flag.
func ParseLivenessMode(s string) (LivenessMode, error) {
	switch m := LivenessMode(s); m {
	case LivenessOff, LivenessBlink, LivenessChallenge:
		return m, nil
	}
	return "", fmt.Errorf("liveness mode %q: want off, blink or challenge", s)
}

// Options tune a Pipeline. A zero field means its default (the Default*
// constants, DefaultOptions), as in the other packages: a forgotten
// PINAttempts must not lock a NIP on the first wrong PIN.
type Options struct {
	// Policy decides a single frame: threshold and margin (recognition;
	// zero: recognition.DefaultPolicy).
	Policy recognition.Policy
	// Agree and Window: an identity is accepted when Agree of the last
	// Window processed frames chose it, each passing Policy. With the
	// measured per-frame error rates (0 wrong among 271 ORL decisions,
	// strangers accepted in 0 of 400 frames) 3 of 5 costs ~3 frames
	// (about 0.15 s) and makes a lucky single-frame match harmless.
	Agree, Window int
	// ClearFrames consecutive frames that each pass Clear (stricter than
	// Policy) decide at once, without waiting for Agree of Window: a
	// clear match costs 2 frames instead of 3, a borderline one still
	// needs Agree of Window (BenchmarkTimeToDecision on ORL video: 3.15
	// -> 2.31 frames on average, unknown share unchanged at 7.7 %, no
	// stranger recorded). Zero: DefaultClearFrames; negative: off.
	// Clear's zero value is recognition.ClearPolicy.
	ClearFrames int
	Clear       recognition.Policy

	// Limits is what the guidance asks for: below MinFaceWidth "come
	// closer", and so on. Guidance uses stricter face width than
	// enrollment (MinFaceWidth) because a kiosk face should fill the view.
	Limits recognition.QualityLimits
	// EdgeMargin: a face box closer than this fraction of the frame to an
	// edge asks the person to centre their face.
	EdgeMargin float64
	// SimilarFaces: a second face at least this fraction of the largest
	// face's area means two people are in front: "one person at a time".
	SimilarFaces float64

	// Liveness is the mode (zero: blink); ChallengeTimeout how long the
	// person has to pass it once identified.
	Liveness         LivenessMode
	ChallengeTimeout time.Duration
	// ClosedRatio and OpenRatio: eyes count as closed below ClosedRatio
	// times the person's open-eye baseline and as open again above
	// OpenRatio times it.
	ClosedRatio, OpenRatio float64
	// TurnDegrees is the head turn (yaw change from the identified pose)
	// a turn challenge needs.
	TurnDegrees float64

	// MaxAttempts failed attempts (unknown face, liveness failed) in one
	// presence offer the NIP + PIN fallback.
	MaxAttempts int
	// AbsentAfter without a face ends a presence (attempts reset).
	AbsentAfter time.Duration
	// RetryAfter is the pause after a failed attempt before the next one,
	// long enough for the GUI's result card.
	RetryAfter time.Duration
	// NewPersonDistance: during the pause after a result, a face farther
	// than this from the last person is someone new (a queue moves on
	// without the face ever leaving the view).
	NewPersonDistance float64

	// Schedule gives in/out windows, late tiers and the cooldown (nil:
	// attendance.DefaultConfig).
	Schedule *attendance.Config
	// PINAttempts wrong fallback PINs for one NIP lock it for PINLockout.
	PINAttempts int
	PINLockout  time.Duration

	// Adaptation is the rule for learning a recorded check-in's face as
	// an extra template of the person (zero fields:
	// recognition.DefaultAdaptation). NoAdapt turns learning off. It is
	// on by default (zero value) because the kiosk's costly failure is
	// the employee it keeps sending to the PIN fallback as their face
	// drifts from the enrollment photos, and the rule is strict enough
	// that the month on ORL learnt no wrong template (recognition.
	// DefaultAdaptation); trial mode, the fallback and CCTV never learn,
	// and re-enrollment or erasure undo it (storage.AdaptTemplate).
	Adaptation recognition.Adaptation
	NoAdapt    bool
	// OnAdapt, when set, is called on the recognition worker after a
	// template was learnt (err nil) or failed to be stored: the kiosk
	// queues the person's enrollment for the server (sync
	// QueueEnrollment) and logs failures. It must return quickly.
	OnAdapt func(a Adapted, err error)

	// PhotoQuality is the JPEG quality of evidence photos; a negative
	// value stores none.
	PhotoQuality int

	// Now is the clock (nil: time.Now; the kiosk passes its
	// clock.Clock's Now); ClockOffset, when set, returns the last measured
	// server-minus-device offset stored on each event.
	Now         func() time.Time
	ClockOffset func() time.Duration
	// Rand picks challenges (nil: a random source).
	Rand func(n int) int
}

// The defaults of Options.
const (
	DefaultAgree             = 3
	DefaultWindow            = 5
	DefaultClearFrames       = 2
	DefaultMinFaceWidth      = 80
	DefaultEdgeMargin        = 0.02
	DefaultSimilarFaces      = 0.6
	DefaultLiveness          = LivenessBlink
	DefaultChallengeTimeout  = 6 * time.Second
	DefaultClosedRatio       = 0.6
	DefaultOpenRatio         = 0.8
	DefaultTurnDegrees       = 15
	DefaultMaxAttempts       = 3
	DefaultAbsentAfter       = 1500 * time.Millisecond
	DefaultRetryAfter        = 2 * time.Second
	DefaultNewPersonDistance = 0.6
	DefaultPINAttempts       = 5
	DefaultPINLockout        = 5 * time.Minute
	DefaultPhotoQuality      = 80
)

// DefaultOptions are the kiosk defaults: 3 of 5 agreeing frames, blink
// liveness, 3 attempts before the fallback, the national schedule.
func DefaultOptions() Options {
	var o Options
	o.fill()
	return o
}

// fill replaces zero fields by their defaults.
func (o *Options) fill() {
	if o.Policy == (recognition.Policy{}) {
		o.Policy = recognition.DefaultPolicy()
	}
	if o.Limits == (recognition.QualityLimits{}) {
		o.Limits = recognition.DefaultQualityLimits()
		o.Limits.MinFaceWidth = DefaultMinFaceWidth
	}
	setInt(&o.Agree, DefaultAgree)
	setInt(&o.Window, DefaultWindow)
	setInt(&o.ClearFrames, DefaultClearFrames)
	if o.Clear == (recognition.Policy{}) {
		o.Clear = recognition.ClearPolicy()
	}
	setInt(&o.MaxAttempts, DefaultMaxAttempts)
	setInt(&o.PINAttempts, DefaultPINAttempts)
	setInt(&o.PhotoQuality, DefaultPhotoQuality)
	setFloat(&o.EdgeMargin, DefaultEdgeMargin)
	setFloat(&o.SimilarFaces, DefaultSimilarFaces)
	setFloat(&o.ClosedRatio, DefaultClosedRatio)
	setFloat(&o.OpenRatio, DefaultOpenRatio)
	setFloat(&o.TurnDegrees, DefaultTurnDegrees)
	setFloat(&o.NewPersonDistance, DefaultNewPersonDistance)
	setDuration(&o.ChallengeTimeout, DefaultChallengeTimeout)
	setDuration(&o.AbsentAfter, DefaultAbsentAfter)
	setDuration(&o.RetryAfter, DefaultRetryAfter)
	setDuration(&o.PINLockout, DefaultPINLockout)
	if o.Liveness == "" {
		o.Liveness = DefaultLiveness
	}
	if o.Schedule == nil {
		o.Schedule = attendance.DefaultConfig()
	}
	o.Adaptation = o.Adaptation.WithDefaults()
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func setFloat(v *float64, def float64) {
	if *v == 0 {
		*v = def
	}
}

func setDuration(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}

func (o *Options) check() error {
	o.fill()
	switch {
	case o.Agree < 1 || o.Window < o.Agree:
		return fmt.Errorf("checkin options: need 1 <= Agree (%d) <= Window (%d)", o.Agree, o.Window)
	case o.MaxAttempts < 1:
		return fmt.Errorf("checkin options: MaxAttempts %d < 1", o.MaxAttempts)
	case o.PINAttempts < 1:
		return fmt.Errorf("checkin options: PINAttempts %d < 1", o.PINAttempts)
	}
	if _, err := ParseLivenessMode(string(o.Liveness)); err != nil {
		return fmt.Errorf("checkin options: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockOffset == nil {
		o.ClockOffset = func() time.Duration { return 0 }
	}
	if o.Rand == nil {
		o.Rand = rand.IntN
	}
	return nil
}
