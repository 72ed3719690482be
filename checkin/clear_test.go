package checkin

import (
	"testing"

	"github.com/hadir-id/hadir/recognition"
)

// TestClearFramesDecideSooner: two consecutive clear frames of one person
// decide at once; anything less clear (too near the threshold, a thin
// margin, a miss or another person in between) waits for 3 of 5 as
// before, and a stranger's rejected frames never decide.
func TestClearFramesDecideSooner(t *testing.T) {
	clear := recognition.ClearPolicy()
	A := recognition.Decision{ID: "A", Distance: clear.Threshold - 0.05, Margin: clear.Margin + 0.05}
	borderline := recognition.Decision{ID: "A", Distance: clear.Threshold + 0.03, Margin: 0.3}
	thin := recognition.Decision{ID: "A", Distance: 0.2, Margin: clear.Margin - 0.01}
	B := recognition.Decision{ID: "B", Distance: 0.2, Margin: 0.3}
	far := reject(recognition.ReasonTooFar)
	tests := []struct {
		name   string
		in     []recognition.Decision
		winner string
		after  int // decisions fed until the winner, 0: none
	}{
		{"two clear frames", []recognition.Decision{A, A}, "A", 2},
		{"clear after a miss", []recognition.Decision{far, A, A}, "A", 3},
		{"borderline needs three", []recognition.Decision{borderline, borderline, borderline}, "A", 3},
		{"clear then borderline", []recognition.Decision{A, borderline, A}, "A", 3},
		{"thin margin needs three", []recognition.Decision{thin, thin, thin}, "A", 3},
		{"interrupted by another person", []recognition.Decision{A, B, A}, "", 0},
		{"stranger", []recognition.Decision{far, far, far, far, far}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := votes{agree: 3, window: 5, clear: clear, clearN: 2}
			after := 0
			var win recognition.Decision
			for i, d := range tc.in {
				if win, _ = v.add(d); win.Accepted() {
					after = i + 1
					break
				}
			}
			if win.ID != tc.winner || after != tc.after {
				t.Fatalf("winner %q after %d decisions, want %q after %d", win.ID, after, tc.winner, tc.after)
			}
		})
	}
	// ClearFrames < 0 turns the early decision off.
	o := Options{ClearFrames: -1}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	var pr presence
	pr.reset(o)
	pr.votes.add(A)
	if win, _ := pr.votes.add(A); win.Accepted() {
		t.Fatal("ClearFrames -1 still decided on two frames")
	}
}
