package sync

import (
	"log/slog"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/internal/clock"
)

// Clock is the worker's source of time and timers: the kiosk's one clock
// (internal/clock), so that tests drive backoff, heartbeats and the
// clock-offset logic from the same source as the rest of the kiosk.
type Clock = clock.Clock

// Options configures a Worker. Start from DefaultOptions; zero fields
// take the defaults.
type Options struct {
	// ServerURL is the server's base URL, e.g. https://absen.kab.go.id.
	// Empty means the URL saved by the last Register.
	ServerURL string
	// AllowInsecureHTTP lets the kiosk talk plain http to a server that
	// is not on this machine: for a lab only, logged at every start.
	// Without it such a URL is refused with ErrInsecureURL.
	AllowInsecureHTTP bool
	// CAFile is an optional PEM file of extra root certificates, added to
	// the system pool (regency servers often use their own CA).
	CAFile string
	// BatchSize is how many events one POST carries (default
	// api.DefaultBatchSize; at most api.MaxBatchEvents).
	BatchSize int
	// MinBackoff is the first wait after a failure (default 1 s).
	MinBackoff time.Duration
	// MaxBackoff caps the wait between retries (default 5 min).
	MaxBackoff time.Duration
	// Interval is the pause between two sync cycles when all is well
	// (default 30 s): how soon new events and roster changes travel.
	Interval time.Duration
	// Timeout bounds each HTTP request (default 30 s).
	Timeout time.Duration
	// HeartbeatInterval is how often the kiosk reports its health
	// (default 1 min).
	HeartbeatInterval time.Duration
	// MaxClockSkew: a larger |offset| to the server clock raises
	// Status.ClockWarning (default 60 s, the server's threshold).
	MaxClockSkew time.Duration
	// RosterPageSize is the limit asked of /roster (default 500).
	RosterPageSize int
	// Clock defaults to the system clock.
	Clock Clock
	// Rand returns a uniform float in [0,1) for backoff jitter (default
	// math/rand/v2); tests inject a fixed sequence.
	Rand func() float64
	// AppVersion is reported at registration and in heartbeats.
	AppVersion string
	// CameraFPS, when set, reports the camera's frame rate in heartbeats.
	CameraFPS func() float64
	// Logger receives one line per failure and state change; never the
	// token or a request body. Default slog.Default().
	Logger *slog.Logger
}

// DefaultOptions returns the production settings.
func DefaultOptions() Options {
	return Options{
		BatchSize:         api.DefaultBatchSize,
		MinBackoff:        time.Second,
		MaxBackoff:        5 * time.Minute,
		Interval:          30 * time.Second,
		Timeout:           30 * time.Second,
		HeartbeatInterval: time.Minute,
		MaxClockSkew:      api.MaxClockOffset,
		RosterPageSize:    api.DefaultRosterPage,
		Clock:             clock.System{},
		AppVersion:        "dev",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.BatchSize <= 0 {
		o.BatchSize = d.BatchSize
	}
	o.BatchSize = min(o.BatchSize, api.MaxBatchEvents)
	if o.MinBackoff <= 0 {
		o.MinBackoff = d.MinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = d.MaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.Interval <= 0 {
		o.Interval = d.Interval
	}
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = d.HeartbeatInterval
	}
	if o.MaxClockSkew <= 0 {
		o.MaxClockSkew = d.MaxClockSkew
	}
	if o.RosterPageSize <= 0 {
		o.RosterPageSize = d.RosterPageSize
	}
	o.RosterPageSize = min(o.RosterPageSize, api.MaxRosterPage)
	if o.Clock == nil {
		o.Clock = d.Clock
	}
	if o.AppVersion == "" {
		o.AppVersion = d.AppVersion
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
