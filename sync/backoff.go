package sync

import (
	"math/rand/v2"
	"time"
)

// backoff is exponential backoff with full jitter: the n-th consecutive
// failure waits a uniform random time in [0, min(max, min*2^n)), so a
// fleet of kiosks that lost the server together does not come back in
// lock step. Success resets it. Not safe for concurrent use: the worker
// loop owns it.
type backoff struct {
	min, max time.Duration
	rand     func() float64
	failures int
}

func newBackoff(minWait, maxWait time.Duration, r func() float64) *backoff {
	if r == nil {
		r = rand.Float64
	}
	return &backoff{min: minWait, max: maxWait, rand: r}
}

// ceiling is the upper bound of the next wait.
func (b *backoff) ceiling() time.Duration {
	c := b.min
	for i := 0; i < b.failures && c < b.max; i++ {
		c *= 2
	}
	return min(c, b.max)
}

// Next records a failure and returns how long to wait before retrying.
func (b *backoff) Next() time.Duration {
	c := b.ceiling()
	b.failures++
	return time.Duration(b.rand() * float64(c))
}

// Reset forgets past failures after a success.
func (b *backoff) Reset() { b.failures = 0 }
