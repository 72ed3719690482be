package recognition

// Adaptation decides whether the face of a confident check-in may become
// an extra template of the person it was recorded for (template
// adaptation: faces change with hijab, glasses, age and make-up, and the
// enrollment photos do not). A candidate is refused unless every rule
// holds, each against a different failure:
//
//   - the person is the nearest (the frame names the person recorded);
//   - it is well inside the threshold (MaxDistance) with a clear margin
//     (MinMargin): only faces no stranger is known to reach are learnt;
//   - it is far from everyone else (Guard, stricter than Duplicate's
//     threshold): a template near another person would pull the two
//     together (drift toward someone else);
//   - it is near an enrollment template (Anchor): adapted templates may
//     not chain away from what the operator enrolled, one small step a
//     day, since the distance is to the enrollment, not to the adapted
//     ones;
//   - it is not redundant (Redundant): a face this near one of the
//     person's templates adds nothing and would only displace a useful
//     adapted one.
//
// MaxAdapted bounds the adapted templates a person keeps (the store
// replaces the oldest). The measurements are next to DefaultAdaptation.
type Adaptation struct {
	MaxDistance float64
	MinMargin   float64
	Guard       float64
	Anchor      float64
	Redundant   float64
	MaxAdapted  int
}

// The defaults of Adaptation; see DefaultAdaptation for the measurements.
const (
	DefaultAdaptDistance  = 0.40
	DefaultAdaptMargin    = 0.10
	DefaultAdaptGuard     = 0.50
	DefaultAdaptAnchor    = 0.42
	DefaultAdaptRedundant = 0.30
	DefaultMaxAdapted     = 3
)

// DefaultAdaptation is the rule the kiosk applies.
//
// Guard 0.50 is SafeBounds' threshold: no policy this kiosk may ever run
// could accept a face that near another person, so a learnt template
// cannot make anyone easier to mistake for someone else; it also refuses
// the nearest stranger of the shared data (idols, 0.368 from one
// employee, 0.426 from the next). Anchor 0.42 keeps every adapted
// template within the default threshold of an enrollment photo.
// MaxAdapted 3 bounds the gallery's growth and lets a change of
// appearance displace the oldest in three check-ins.
//
// Measured on ORL (checkin TestAdaptationOverAMonth: 34 subjects
// enrolled with images 1-2, images 3-10 presented one a day in three
// rounds, 24 working days, 813 attempts, one decision each through the
// kiosk's own adaptation step over a real store; 6 never-enrolled
// subjects presented every day):
//
//	MaxDistance/Margin  Anchor  Redundant  unknown        learnt
//	(no adaptation)                        27 (3.3 %)     0
//	0.36/0.12           0.42    0.15       27             614
//	0.40/0.10           0.42    0.20       15             416
//	0.40/0.10           0.42    0.25       15             205
//	0.40/0.10           0.50    0.25       13             208
//	0.40/0.10           0.50    0.30       13             63
//	0.42/0.08           none    0.15       16             666
//
// A learnt face must be near enough to bridge the gap to the next
// day's face: at 0.36 the learnt ones all sat where the enrollment
// already reached and nothing improved; 0.40/0.10 nearly halves the
// unknowns. Redundant 0.30 keeps the churn low (every learnt template
// is an audit entry and a push to the server): 63 in 813 check-ins,
// against 614 at 0.15 for no gain. In every row: no template learnt for
// a wrong person, no wrong identification, no stranger accepted.
// The chosen row, 0.40/0.10, anchor 0.42, redundant 0.30 (the test
// prints it): unknown 27 -> 15 (3.3 % -> 1.8 %), 60 learnt, none wrong.
func DefaultAdaptation() Adaptation {
	return Adaptation{MaxDistance: DefaultAdaptDistance, MinMargin: DefaultAdaptMargin,
		Guard: DefaultAdaptGuard, Anchor: DefaultAdaptAnchor, Redundant: DefaultAdaptRedundant,
		MaxAdapted: DefaultMaxAdapted}
}

// AdaptReason says why a candidate is not learnt ("" when it is).
type AdaptReason string

// Reasons a candidate is refused.
const (
	AdaptOtherPerson AdaptReason = "other_person" // someone else is nearest
	AdaptTooFar      AdaptReason = "too_far"      // beyond MaxDistance
	AdaptAmbiguous   AdaptReason = "ambiguous"    // margin under MinMargin
	AdaptNearOther   AdaptReason = "near_other"   // another person within Guard
	AdaptOffAnchor   AdaptReason = "off_anchor"   // no enrollment template within Anchor
	AdaptRedundant   AdaptReason = "redundant"    // within Redundant of an own template
)

// Check judges a candidate face for person id: m is the gallery's Search
// of the face (all of the person's templates, adapted ones included) and
// anchor its distance to the person's nearest enrollment template.
func (a Adaptation) Check(id string, m Match, anchor float64) AdaptReason {
	switch {
	case m.ID != id:
		return AdaptOtherPerson
	case !(m.Distance <= a.MaxDistance):
		return AdaptTooFar
	case !(m.SecondDistance-m.Distance >= a.MinMargin):
		return AdaptAmbiguous
	case !(m.SecondDistance >= a.Guard):
		return AdaptNearOther
	case !(anchor <= a.Anchor):
		return AdaptOffAnchor
	case m.Distance < a.Redundant:
		return AdaptRedundant
	}
	return ""
}

// fill replaces zero fields by the defaults.
func (a *Adaptation) fill() {
	d := DefaultAdaptation()
	for _, f := range []struct{ v, def *float64 }{
		{&a.MaxDistance, &d.MaxDistance}, {&a.MinMargin, &d.MinMargin}, {&a.Guard, &d.Guard},
		{&a.Anchor, &d.Anchor}, {&a.Redundant, &d.Redundant},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if a.MaxAdapted == 0 {
		a.MaxAdapted = d.MaxAdapted
	}
}

// WithDefaults returns a with its zero fields set to the defaults.
func (a Adaptation) WithDefaults() Adaptation {
	a.fill()
	return a
}
