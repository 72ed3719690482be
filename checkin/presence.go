package checkin

import (
	"slices"
	"time"

	"github.com/hadir-id/hadir/recognition"
)

type phase int

const (
	phaseIdentify  phase = iota // voting on the identity
	phaseChallenge              // identified, liveness pending
	phaseHold                   // showing a result; see holdUntil
	phaseFallback               // too many failures; waiting for NIP + PIN or the face to leave
)

// presence is what the pipeline knows about the person in front of the
// camera, from the first frame with their face until it has been gone for
// AbsentAfter (or a different face takes over).
type presence struct {
	seen     bool
	lastFace time.Time
	attempts int
	phase    phase
	votes    votes
	last     State // the last state shown, repeated over missed detections

	identified     recognition.Decision
	desc           recognition.Descriptor
	person         *Person
	live           *liveness
	blinked        bool
	challengeStart time.Time

	held      State
	heldDesc  recognition.Descriptor
	holdUntil time.Time // zero: until the face leaves or someone else comes
}

func (pr *presence) reset(o Options) {
	*pr = presence{votes: votes{agree: o.Agree, window: o.Window, clear: o.Clear, clearN: max(o.ClearFrames, 0),
		ring: pr.votes.ring[:0]}}
}

// startAttempt begins a new attempt within the same presence.
func (pr *presence) startAttempt() {
	pr.phase = phaseIdentify
	pr.votes.reset()
	pr.identified, pr.person, pr.live, pr.blinked = recognition.Decision{}, nil, nil, false
	pr.held, pr.holdUntil = State{}, time.Time{}
}

func (pr *presence) hold(ph phase, st State, desc recognition.Descriptor, until time.Time) {
	pr.phase, pr.held, pr.heldDesc, pr.holdUntil = ph, st, desc, until
	pr.last = st
}

func (pr *presence) show(st State) State {
	st.Attempts = pr.attempts
	pr.last = st
	return st
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
