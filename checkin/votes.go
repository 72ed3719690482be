package checkin

import "github.com/hadir-id/hadir/recognition"

// votes is the sliding window of per-frame decisions for one attempt.
type votes struct {
	agree, window int
	// clearN consecutive decisions that each pass clear decide at once
	// (0: never); see Options.ClearFrames.
	clear  recognition.Policy
	clearN int
	ring   []recognition.Decision
}

// add records a frame's decision. It returns the identity once agree of
// the last window decisions chose it, or as soon as the last clearN
// decisions all chose it clearly; or unknown=true when a full window
// passed without either: the attempt failed (a stranger, or an enrolled
// person matching too weakly or ambiguously).
func (v *votes) add(d recognition.Decision) (winner recognition.Decision, unknown bool) {
	v.ring = append(v.ring, d)
	if len(v.ring) > v.window {
		v.ring = v.ring[1:]
	}
	if c, ok := v.clearRun(); ok {
		return c, false
	}
	best, n := v.leader()
	if n >= v.agree {
		return best, false
	}
	return recognition.Decision{}, len(v.ring) == v.window
}

// clearRun reports whether the last clearN decisions named one person,
// each far inside the clear policy, and returns the closest of them.
func (v *votes) clearRun() (recognition.Decision, bool) {
	if v.clearN < 1 || len(v.ring) < v.clearN {
		return recognition.Decision{}, false
	}
	run := v.ring[len(v.ring)-v.clearN:]
	best := run[0]
	for _, d := range run {
		if !d.Accepted() || d.ID != run[0].ID || d.Distance > v.clear.Threshold || !(d.Margin >= v.clear.Margin) {
			return recognition.Decision{}, false
		}
		if d.Distance < best.Distance {
			best = d
		}
	}
	return best, true
}

// leader is the most chosen accepted identity and how often it was chosen;
// of several equally chosen, the closest.
func (v *votes) leader() (recognition.Decision, int) {
	var best recognition.Decision
	bestN := 0
	for i, d := range v.ring {
		if !d.Accepted() {
			continue
		}
		n := 0
		closest := d
		for _, e := range v.ring[i:] {
			if e.ID == d.ID {
				n++
				if e.Distance < closest.Distance {
					closest = e
				}
			}
		}
		if n > bestN || (n == bestN && closest.Distance < best.Distance) {
			best, bestN = closest, n
		}
	}
	return best, bestN
}

// reason is the most common rejection reason, for the unknown state.
func (v *votes) reason() string {
	count := map[string]int{}
	best := ""
	for _, d := range v.ring {
		if !d.Accepted() {
			count[string(d.Reason)]++
			if count[string(d.Reason)] > count[best] {
				best = string(d.Reason)
			}
		}
	}
	return best
}

// progress is how close the leading identity is to being accepted, 0-1.
func (v *votes) progress() float64 {
	_, n := v.leader()
	return min(1, float64(n)/float64(v.agree))
}

func (v *votes) reset() { v.ring = v.ring[:0] }
