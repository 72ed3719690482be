package server

import (
	"fmt"
	"time"

	"github.com/hadir-id/hadir/api"
)

// checkEvent is the server's own check of one well-formed event from
// device d, before anything is stored: the content must hash to the
// event's hash and that hash must carry the device's MAC (a reason code
// rejects it); then the clock-corrected time decides whether it counts or
// is kept aside (e.Held). now is the server's receipt time.
func checkEvent(d *Device, e *Event, now time.Time) (reason, msg string) {
	if r := api.CheckEvent(d.Secret, &e.Event); r != "" {
		if r == api.ReasonBadHash {
			return r, fmt.Sprintf("event %s does not hash to %s: content altered or hashed another way", e.ID, e.Hash)
		}
		return r, fmt.Sprintf("event %s is not authenticated by device %s's secret", e.ID, d.ID)
	}
	e.ClockFlagged = e.ClockOffset > api.MaxClockOffset || e.ClockOffset < -api.MaxClockOffset
	e.CorrectedTime = correct(e.Time, e.ClockOffset)
	switch {
	case e.Time.Before(api.MinEventTime) || e.Time.After(api.MaxEventTime) || e.CorrectedTime.IsZero():
		e.Held, e.HeldNote = api.HeldAbsurdTime, fmt.Sprintf("device time %s is outside %d-%d", e.Time.Format(time.RFC3339), api.MinEventTime.Year(), api.MaxEventTime.Year())
	case e.CorrectedTime.After(now.Add(api.MaxFutureSkew)):
		e.Held, e.HeldNote = api.HeldFuture, fmt.Sprintf("corrected time %s is more than %s after the server's %s",
			e.CorrectedTime.Format(time.RFC3339), api.MaxFutureSkew, now.UTC().Format(time.RFC3339))
	case !d.CreatedAt.IsZero() && e.CorrectedTime.Before(d.CreatedAt):
		e.Held, e.HeldNote = api.HeldBeforeDevice, fmt.Sprintf("corrected time %s is before device %s was registered (%s)",
			e.CorrectedTime.Format(time.RFC3339), d.ID, d.CreatedAt.Format(time.RFC3339))
	}
	return "", ""
}

// correct applies a clock offset beyond api.ClockNoise, rounded to the
// second, returning the zero time when the result would leave what int64
// nanoseconds hold (the event is then absurd).
func correct(t time.Time, offset time.Duration) time.Time {
	if offset > -api.ClockNoise && offset < api.ClockNoise {
		offset = 0
	}
	c := t.Add(offset.Round(time.Second))
	if c.Before(api.MinEventTime) || c.After(api.MaxEventTime) {
		return time.Time{}
	}
	return c.UTC()
}
