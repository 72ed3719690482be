package api

import "time"

// Limits of the contract. The server refuses more (413 or 400); the kiosk
// never sends more.
const (
	// MaxBatchEvents is the most events one POST /events carries.
	MaxBatchEvents = 1000
	// DefaultBatchSize is how many events a kiosk sends per POST: half
	// the limit, so a slow link still finishes a batch in one timeout.
	DefaultBatchSize = 500
	// MaxBatchBytes bounds the body of POST /events.
	MaxBatchBytes = 8 << 20
	// MaxTextLen bounds each free-text field of an event, in bytes.
	MaxTextLen = 1024
	// MaxTemplates is the most templates one enrollment carries.
	MaxTemplates = 20
	// MaxAdaptedTemplates is the most adapted templates (Template.Adapted)
	// one enrollment carries, the kiosk's bound
	// (recognition.DefaultMaxAdapted); at least one template must be an
	// enrolled one.
	MaxAdaptedTemplates = 3
	// SmallBodyBytes bounds register, rekey and heartbeat bodies.
	SmallBodyBytes = 64 << 10
	// EnrollBodyBytes bounds POST /enrollments (20 templates are ~20 KB).
	EnrollBodyBytes = 1 << 20
	// DefaultRosterPage and MaxRosterPage are the limit of GET /roster
	// when none is asked, and the most the server returns.
	DefaultRosterPage = 500
	MaxRosterPage     = 2000
	// MaxResponseBytes bounds what one answer may make a kiosk hold in
	// memory (a roster page of 2,000 employees with 20 templates is ~30 MB).
	MaxResponseBytes = 64 << 20
	// MaxClockOffset: a device clock further than this from the server's
	// is flagged on both sides (it files attendance under the wrong minute).
	MaxClockOffset = 60 * time.Second
	// MaxFutureSkew: an event dated further than this in the future, after
	// the clock correction, is kept aside.
	MaxFutureSkew = 5 * time.Minute
	// ClockNoise: a measured offset smaller than this is the measurement's
	// own error (half a round trip), not the device's: times are corrected
	// only beyond it, and then by whole seconds, so a kiosk whose clock is
	// right does not turn a 16:00:00 check-out into a 15:59:59 early leave.
	ClockNoise = 2 * time.Second
)

// MinEventTime: events dated before it are absurd (a kiosk with a reset
// clock) and kept aside.
var MinEventTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxEventTime: the last instant int64 Unix nanoseconds can hold (2262);
// later dates would overflow every time column.
var MaxEventTime = time.Unix(0, 1<<63-1).UTC()
