package checkin

import (
	"image"
	"testing"

	"github.com/hadir-id/hadir/recognition"
)

func accept(id string, dist float64) recognition.Decision {
	return recognition.Decision{ID: id, Distance: dist, Margin: 0.2}
}

func reject(r recognition.Reason) recognition.Decision {
	return recognition.Decision{Reason: r, Distance: 0.5}
}

func TestVotes(t *testing.T) {
	A, B := accept("A", 0.3), accept("B", 0.3)
	far := reject("too_far")
	tests := []struct {
		name    string
		in      []recognition.Decision
		winner  string
		unknown bool
		reason  string
	}{
		{"three of three", []recognition.Decision{A, A, A}, "A", false, ""},
		{"three of five with misses", []recognition.Decision{A, far, A, far, A}, "A", false, ""},
		{"not yet", []recognition.Decision{A, far, A}, "", false, ""},
		{"full window without winner", []recognition.Decision{A, far, far, A, far}, "", true, "too_far"},
		{"split between two people", []recognition.Decision{A, B, A, B, far}, "", true, "too_far"},
		{"old votes slide out", []recognition.Decision{far, far, far, A, A, A}, "", true, "too_far"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := votes{agree: 3, window: 5}
			var win recognition.Decision
			var unknown bool
			for _, d := range tc.in {
				if win, unknown = v.add(d); win.Accepted() || unknown {
					break
				}
			}
			if win.ID != tc.winner || unknown != tc.unknown {
				t.Fatalf("got winner %q unknown %v, want %q %v", win.ID, unknown, tc.winner, tc.unknown)
			}
			if unknown && v.reason() != tc.reason {
				t.Errorf("reason %q, want %q", v.reason(), tc.reason)
			}
		})
	}
}

func TestVotesWinnerIsClosestFrame(t *testing.T) {
	v := votes{agree: 2, window: 3}
	v.add(accept("A", 0.35))
	win, _ := v.add(accept("A", 0.30))
	if win.Distance != 0.30 {
		t.Errorf("winner distance %v, want the closest frame's 0.30", win.Distance)
	}
}

// quality frames: EAR and yaw per frame.
func frames(pairs ...float64) []recognition.Quality {
	var qs []recognition.Quality
	for i := 0; i+1 < len(pairs); i += 2 {
		qs = append(qs, recognition.Quality{EyeOpenness: pairs[i], Yaw: pairs[i+1]})
	}
	return qs
}

func TestLiveness(t *testing.T) {
	o := DefaultOptions()
	still := frames(0.28, 2, 0.28, 2, 0.28, 2, 0.28, 2, 0.28, 2, 0.28, 2)
	tests := []struct {
		name     string
		want     Challenge
		enrolled float64
		seq      []recognition.Quality
		pass     bool
	}{
		{"blink passes", ChallengeBlink, 0, frames(0.28, 0, 0.30, 0, 0.08, 0, 0.29, 0), true},
		{"half blink does not", ChallengeBlink, 0, frames(0.28, 0, 0.20, 0, 0.29, 0), false},
		{"closed then open is not a blink", ChallengeBlink, 0, frames(0.05, 0, 0.05, 0, 0.30, 0), false},
		{"closed eyes photo vs enrollment baseline", ChallengeBlink, 0.30, frames(0.15, 0, 0.10, 0, 0.15, 0), false},
		{"still image, blink", ChallengeBlink, 0.28, still, false},
		{"still image, turn left", ChallengeTurnLeft, 0, still, false},
		{"still image, turn right", ChallengeTurnRight, 0, still, false},
		{"turn left: nose to image right", ChallengeTurnLeft, 0, frames(0.3, 2, 0.3, 8, 0.3, 19), true},
		{"turn right: nose to image left", ChallengeTurnRight, 0, frames(0.3, 2, 0.3, -5, 0.3, -14), true},
		{"wrong way", ChallengeTurnLeft, 0, frames(0.3, 2, 0.3, -10, 0.3, -20), false},
		{"too little", ChallengeTurnRight, 0, frames(0.3, 2, 0.3, -5, 0.3, -10), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLiveness(tc.want, &o, tc.enrolled)
			passed := false
			for _, q := range tc.seq {
				if ok, _ := l.observe(q); ok {
					passed = true
				}
			}
			if passed != tc.pass {
				t.Fatalf("passed %v, want %v", passed, tc.pass)
			}
		})
	}
}

func TestGuide(t *testing.T) {
	lim := DefaultOptions().Limits
	size := image.Pt(640, 480)
	good := recognition.Face{Box: image.Rect(220, 140, 420, 340),
		Quality: recognition.Quality{FaceWidth: 200, Sharpness: 80, Brightness: 120, Yaw: 3}}
	with := func(change func(*recognition.Face)) recognition.Face {
		f := good
		change(&f)
		return f
	}
	tests := []struct {
		face recognition.Face
		want Guidance
	}{
		{good, GuideNone},
		{with(func(f *recognition.Face) { f.Quality.FaceWidth = 60 }), GuideComeCloser},
		{with(func(f *recognition.Face) { f.Box = image.Rect(500, 140, 700, 340) }), GuideCentre},
		{with(func(f *recognition.Face) { f.Quality.Yaw = -50 }), GuideLookStraight},
		{with(func(f *recognition.Face) { f.Quality.Brightness = 20 }), GuideMoreLight},
		{with(func(f *recognition.Face) { f.Quality.Brightness = 240 }), GuideLessLight},
		{with(func(f *recognition.Face) { f.Quality.Sharpness = 5 }), GuideHoldStill},
		{with(func(f *recognition.Face) { f.Quality.FaceWidth, f.Quality.Brightness = 60, 20 }), GuideComeCloser},
	}
	for _, tc := range tests {
		if got := guide(tc.face, size, lim, 0.02); got != tc.want {
			t.Errorf("guide(%+v) = %q, want %q", tc.face.Quality, got, tc.want)
		}
	}
}

func TestCandidate(t *testing.T) {
	box := func(side int) recognition.Face { return recognition.Face{Box: image.Rect(0, 0, side, side)} }
	tests := []struct {
		faces []recognition.Face
		side  int
		two   bool
	}{
		{[]recognition.Face{box(100)}, 100, false},
		{[]recognition.Face{box(60), box(200)}, 200, false},
		{[]recognition.Face{box(200), box(180)}, 200, true},
		{[]recognition.Face{box(160), box(200), box(90)}, 200, true},
	}
	for _, tc := range tests {
		c, two := candidate(tc.faces, 0.6)
		if c.Box.Dx() != tc.side || two != tc.two {
			t.Errorf("candidate of %d faces: side %d two %v, want %d %v", len(tc.faces), c.Box.Dx(), two, tc.side, tc.two)
		}
	}
}
