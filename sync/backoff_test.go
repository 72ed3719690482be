package sync

import (
	"testing"
	"time"
)

// seq returns the given values in turn, for deterministic jitter.
func seq(vals ...float64) func() float64 {
	i := 0
	return func() float64 {
		v := vals[i%len(vals)]
		i++
		return v
	}
}

func secs(ss ...float64) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

func TestBackoffSequence(t *testing.T) {
	const top = 0.999999999 // the top of the jitter range
	cases := []struct {
		name     string
		min, max time.Duration
		rand     []float64
		resetAt  int // Reset before this call (-1: never)
		want     []time.Duration
	}{
		{"doubles up to the cap", time.Second, 5 * time.Minute, []float64{top}, -1,
			secs(1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300)},
		{"full jitter scales the ceiling", time.Second, 5 * time.Minute, []float64{0.5, 0.25, 0}, -1,
			secs(0.5, 0.5, 0)},
		{"reset after success starts again", time.Second, time.Minute, []float64{top}, 3,
			secs(1, 2, 4, 1, 2)},
		{"cap below min is min", 2 * time.Second, time.Second, []float64{top}, -1,
			secs(2, 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{MinBackoff: tc.min, MaxBackoff: tc.max}.withDefaults()
			b := newBackoff(o.MinBackoff, o.MaxBackoff, seq(tc.rand...))
			for i, want := range tc.want {
				if i == tc.resetAt {
					b.Reset()
				}
				if got := b.Next(); got-want > time.Millisecond || want-got > time.Millisecond {
					t.Fatalf("wait %d = %v, want %v", i, got, want)
				}
			}
		})
	}
}
