package recognition

import "math"

// Descriptor is dlib's 128-D face embedding. Two photos of one person lie
// close together; compare them with Distance, never with go-face's squared
// "tolerance".
type Descriptor [128]float32

// Distance is the Euclidean distance between two descriptors (not squared:
// dlib's customary 0.6 is on this scale).
func Distance(a, b Descriptor) float64 {
	var s float32
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(float64(s))
}
