// Package clock is the one time source the kiosk's parts are given: the
// camera reader, the check-in pipeline, the operator PIN lock, the store
// and the GUI take a Clock instead of calling time.Now, so that tests can
// run them on a Manual clock that moves only when the test says so.
package clock

import "time"

// Clock tells the time and makes timers. It has timers rather than a
// Sleep so that a loop reuses one timer instead of allocating one per
// iteration (the camera reader waits once per frame).
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer its users need.
type Timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// System is the wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// NewTimer returns a *time.Timer behind the Timer interface.
func (System) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (w systemTimer) C() <-chan time.Time   { return w.t.C }
func (w systemTimer) Reset(d time.Duration) { w.t.Reset(d) }
func (w systemTimer) Stop()                 { w.t.Stop() }

// Or returns c, or System when c is nil: the zero value of an Options
// field means the wall clock.
func Or(c Clock) Clock {
	if c == nil {
		return System{}
	}
	return c
}
