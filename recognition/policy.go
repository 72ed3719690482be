package recognition

import "math"

// Policy decides whether a Match names someone. A match is accepted only
// when the nearest person is near enough (Threshold) AND clearly nearer
// than anyone else (Margin): a stranger tends to sit at similar distances
// from several employees, so the margin is what keeps strangers from being
// recorded as the nearest employee. The kiosk adds agreement across
// several frames on top (package checkin).
type Policy struct {
	Threshold float64 // maximum Euclidean distance to the nearest person
	Margin    float64 // minimum (second - best) distance
}

// DefaultPolicy was chosen on the shared datasets with this engine (HOG,
// 68-point alignment, ORL upscaled and padded), by sweeping threshold
// 0.36-0.50 and margin 0-0.10 over the protocols:
//
//   - ORL, 3 images enrolled per subject, the other 7 identified (280
//     probes): 96.8 % correct, 0 wrong at 0.42/0.08 (97.1 % at 0.42/0.06).
//   - ORL leave-one-subject-out (400 probes of never-enrolled subjects):
//     0 accepted; the nearest such stranger is at 0.461.
//   - Idols (bona, chaeyeon, jimin enrolled with 2 photos each; 18 photos
//     of 13 never-enrolled people): 0 wrong, 0 strangers accepted. Strangers
//     come as close as 0.368 here, so the threshold alone cannot stop them:
//     the stranger nearest under 0.42 had a margin of 0.058, hence 0.08.
//
// dlib's customary 0.6 would accept most of those strangers (their median
// distance to others is 0.55).
func DefaultPolicy() Policy {
	return Policy{Threshold: 0.42, Margin: 0.08}
}

// Decision is a Policy's verdict on a Match.
type Decision struct {
	ID       string  // the person, "" when unknown
	Distance float64 // to the nearest person
	Margin   float64 // second - best; +Inf with a single enrolled person
	Reason   Reason  // why not accepted; "" when accepted
}

// Reason explains a rejected match.
type Reason string

// Reasons a match is not accepted.
const (
	ReasonEmpty     Reason = "empty_gallery" // nobody enrolled
	ReasonTooFar    Reason = "too_far"       // nearest person beyond the threshold
	ReasonAmbiguous Reason = "ambiguous"     // two people nearly as near
)

// Accepted reports whether the decision names a person.
func (d Decision) Accepted() bool { return d.ID != "" }

// Decide applies the policy to m.
func (p Policy) Decide(m Match) Decision {
	d := Decision{Distance: m.Distance, Margin: m.SecondDistance - m.Distance}
	switch {
	case m.ID == "":
		d.Reason = ReasonEmpty
	case m.Distance > p.Threshold:
		d.Reason = ReasonTooFar
	case !(d.Margin >= p.Margin) && !math.IsInf(m.SecondDistance, 1):
		d.Reason = ReasonAmbiguous
	default:
		d.ID = m.ID
	}
	return d
}
