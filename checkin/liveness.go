package checkin

import (
	"time"

	"github.com/hadir-id/hadir/recognition"
)

// liveness judges one attempt's liveness from the landmarks of successive
// frames. It is pure: it sees only eye aspect ratios and yaw, never the
// picture, so it is tested on sequences of numbers.
type liveness struct {
	want        Challenge
	closedRatio float64
	openRatio   float64
	turn        float64

	floor    float64 // lower bound of the open-eye baseline (from enrollment)
	baseline float64 // open-eye EAR: highest seen this attempt
	yaw0     float64 // yaw when the challenge started
	started  bool

	// blink progress: open seen, then closed, then open again
	open, closed bool
}

// newLiveness starts a check for challenge want. enrolledEAR is the
// median eye openness of the person's enrollment samples (0: unknown): a
// person whose eyes are half closed from the start cannot make their
// baseline so low that a twitch passes as a blink.
func newLiveness(want Challenge, o *Options, enrolledEAR float64) *liveness {
	return &liveness{want: want, closedRatio: o.ClosedRatio, openRatio: o.OpenRatio,
		turn: o.TurnDegrees, floor: 0.7 * enrolledEAR}
}

// observe feeds one frame's quality and reports whether the challenge is
// passed, with progress 0-1 for the GUI.
func (l *liveness) observe(q recognition.Quality) (passed bool, progress float64) {
	if !l.started {
		l.started, l.yaw0 = true, q.Yaw
	}
	switch l.want {
	case ChallengeTurnLeft, ChallengeTurnRight:
		d := q.Yaw - l.yaw0
		if l.want == ChallengeTurnRight {
			d = -d
		}
		return d >= l.turn, clamp01(d / l.turn)
	}
	ear := q.EyeOpenness
	l.baseline = max(l.baseline, ear, l.floor)
	switch {
	case ear >= l.openRatio*l.baseline:
		if l.closed {
			return true, 1
		}
		l.open = true
	case ear < l.closedRatio*l.baseline && l.open:
		l.closed = true
	}
	switch {
	case l.closed:
		return false, 0.66
	case l.open:
		return false, 0.33
	}
	return false, 0
}

// verdict is the liveness string stored on the event.
func (l *liveness) verdict() string {
	if l == nil {
		return "off"
	}
	return string(l.want) + "-ok"
}

func clamp01(x float64) float64 { return max(0, min(1, x)) }

// challengeFor picks the action for an attempt: blink in blink mode, a
// random one of the three in challenge mode.
func challengeFor(mode LivenessMode, rnd func(int) int) Challenge {
	switch mode {
	case LivenessBlink:
		return ChallengeBlink
	case LivenessChallenge:
		return []Challenge{ChallengeBlink, ChallengeTurnLeft, ChallengeTurnRight}[rnd(3)]
	}
	return ChallengeNone
}

// expired reports whether a challenge started at start has run out.
func expired(start, now time.Time, limit time.Duration) bool {
	return limit > 0 && now.Sub(start) > limit
}
