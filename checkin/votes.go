package checkin

import "github.com/hadir-id/hadir/recognition"

// votes is the sliding window of per-frame decisions for one attempt.
type votes struct {
	agree, window int
	ring          []recognition.Decision
}

// add records a frame's decision. It returns the identity once agree of
// the last window decisions chose it, or unknown=true when a full window
// passed without that: the attempt failed (a stranger, or an enrolled
// person matching too weakly or ambiguously).
func (v *votes) add(d recognition.Decision) (winner recognition.Decision, unknown bool) {
	v.ring = append(v.ring, d)
	if len(v.ring) > v.window {
		v.ring = v.ring[1:]
	}
	best, n := v.leader()
	if n >= v.agree {
		return best, false
	}
	return recognition.Decision{}, len(v.ring) == v.window
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
