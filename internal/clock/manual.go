package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Manual is a Clock that moves only when told to: Add and Set move it and
// fire the timers that became due; Next waits until some goroutine has
// armed a timer, moves the clock to that timer's deadline and fires it.
// Next lets a test step a goroutine that paces itself with timers (the
// camera reader playing a video file) one wait at a time, so the test
// never races real time. Safe for concurrent use.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer // armed, in no particular order
	armed  chan struct{}  // closed while at least one timer is armed
}

// NewManual returns a Manual clock reading start.
func NewManual(start time.Time) *Manual {
	return &Manual{now: start, armed: make(chan struct{})}
}

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock forward by d and fires the timers due by then.
func (c *Manual) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards) and fires the timers due.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
	for len(c.timers) > 0 && !c.timers[0].when.After(c.now) {
		c.fireLocked(c.timers[0])
	}
}

// Next waits until a timer is armed, moves the clock to its deadline
// (if that is later than now) and fires it. It returns ctx's error if ctx
// ends first.
func (c *Manual) Next(ctx context.Context) error {
	for {
		c.mu.Lock()
		if len(c.timers) > 0 {
			sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
			t := c.timers[0]
			if t.when.After(c.now) {
				c.now = t.when
			}
			c.fireLocked(t)
			c.mu.Unlock()
			return nil
		}
		armed := c.armed
		c.mu.Unlock()
		select {
		case <-armed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Armed returns a channel that is closed while at least one timer is
// armed (take a new one after each wake-up).
func (c *Manual) Armed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.armed
}

// NewTimer returns a timer firing when the clock reaches now+d.
func (c *Manual) NewTimer(d time.Duration) Timer {
	t := &manualTimer{c: c, ch: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

func (c *Manual) armLocked(t *manualTimer) {
	c.disarmLocked(t)
	if len(c.timers) == 0 {
		close(c.armed)
	}
	c.timers = append(c.timers, t)
}

func (c *Manual) disarmLocked(t *manualTimer) {
	for i, o := range c.timers {
		if o == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			if len(c.timers) == 0 {
				c.armed = make(chan struct{})
			}
			return
		}
	}
}

func (c *Manual) fireLocked(t *manualTimer) {
	c.disarmLocked(t)
	select {
	case t.ch <- c.now:
	default: // the last tick was not taken: like time.Timer, keep one
	}
}

type manualTimer struct {
	c    *Manual
	ch   chan time.Time
	when time.Time
}

func (t *manualTimer) C() <-chan time.Time { return t.ch }

// Reset re-arms the timer for now+d, dropping a tick not yet taken (as
// time.Timer does since Go 1.23); d <= 0 fires at once.
func (t *manualTimer) Reset(d time.Duration) {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	select {
	case <-t.ch:
	default:
	}
	t.when = t.c.now.Add(d)
	if d <= 0 {
		t.c.disarmLocked(t)
		t.ch <- t.c.now
		return
	}
	t.c.armLocked(t)
}

func (t *manualTimer) Stop() {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.c.disarmLocked(t)
	select {
	case <-t.ch:
	default:
	}
}
