package checkin

import (
	"image"
	"math"

	"github.com/hadir-id/hadir/recognition"
)

// candidate picks the face to act on: the largest. two reports a second
// face of similar size (two people side by side): the kiosk then asks for
// one person at a time rather than guess whose check-in it is.
func candidate(faces []recognition.Face, similar float64) (c recognition.Face, two bool) {
	best, second := -1, 0
	for i, f := range faces {
		a := f.Box.Dx() * f.Box.Dy()
		switch {
		case best < 0 || a > faces[best].Box.Dx()*faces[best].Box.Dy():
			if best >= 0 {
				second = faces[best].Box.Dx() * faces[best].Box.Dy()
			}
			best = i
		case a > second:
			second = a
		}
	}
	c = faces[best]
	return c, float64(second) >= similar*float64(c.Box.Dx()*c.Box.Dy())
}

// guide returns the single most useful instruction for face f in a frame
// of size, or GuideNone when the face is good enough to identify.
func guide(f recognition.Face, size image.Point, lim recognition.QualityLimits, edge float64) Guidance {
	q := f.Quality
	mx, my := int(edge*float64(size.X)), int(edge*float64(size.Y))
	inner := image.Rect(mx, my, size.X-mx, size.Y-my)
	switch {
	case q.FaceWidth < lim.MinFaceWidth:
		return GuideComeCloser
	case !f.Box.In(inner):
		return GuideCentre
	case math.Abs(q.Yaw) > lim.MaxYaw:
		return GuideLookStraight
	case q.Brightness < lim.MinBrightness:
		return GuideMoreLight
	case q.Brightness > lim.MaxBrightness:
		return GuideLessLight
	case q.Sharpness < lim.MinSharpness:
		return GuideHoldStill
	}
	return GuideNone
}
