package recognition

import (
	"math"
	"testing"
)

func TestAdaptationCheck(t *testing.T) {
	a := DefaultAdaptation()
	inf := math.Inf(1)
	ok := Match{ID: "A", Distance: 0.35, SecondID: "B", SecondDistance: 0.60}
	for _, c := range []struct {
		name   string
		m      Match
		anchor float64
		want   AdaptReason
	}{
		{"learnt", ok, 0.38, ""},
		{"learnt, only person enrolled", Match{ID: "A", Distance: 0.35, SecondDistance: inf}, 0.35, ""},
		{"someone else nearest", Match{ID: "B", Distance: 0.3, SecondID: "A", SecondDistance: 0.6}, 0.3, AdaptOtherPerson},
		{"too far", Match{ID: "A", Distance: 0.41, SecondID: "B", SecondDistance: 0.7}, 0.41, AdaptTooFar},
		{"thin margin", Match{ID: "A", Distance: 0.35, SecondID: "B", SecondDistance: 0.44}, 0.35, AdaptAmbiguous},
		{"near another person", Match{ID: "A", Distance: 0.36, SecondID: "B", SecondDistance: 0.49}, 0.36, AdaptNearOther},
		{"chained away from the enrollment", ok, 0.43, AdaptOffAnchor},
		{"redundant", Match{ID: "A", Distance: 0.1, SecondID: "B", SecondDistance: 0.7}, 0.1, AdaptRedundant},
	} {
		if got := a.Check("A", c.m, c.anchor); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if (Adaptation{}).WithDefaults() != a {
		t.Error("zero Adaptation does not fill to DefaultAdaptation")
	}
}
