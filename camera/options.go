package camera

import (
	"math"
	"time"

	"github.com/hadir-id/hadir/internal/clock"
)

// Options tune a Source. The zero value is not useful: start from
// DefaultOptions and change what you need (the bbolt style).
type Options struct {
	// Width, Height and FPS are requested from a device (0 keeps the
	// driver's default; the driver may pick something else, the actual
	// values are in Status().Info). For a file or a folder, FPS is the
	// playback rate: 0 means the file's own rate (a folder plays at 10
	// fps). Network streams run at the sender's rate.
	Width, Height int
	FPS           float64

	// FourCC asks a device for a pixel format, e.g. "MJPG": many USB
	// webcams only reach 30 fps at 720p in MJPEG. Empty keeps the default.
	FourCC string

	// Loop restarts a file or a folder at its end instead of ending the
	// source (demos, tests, a kiosk showing a recorded scene).
	Loop bool

	// Unpaced reads a file or a folder as fast as it decodes, ignoring FPS:
	// for benchmarks and batch work, never for a preview.
	Unpaced bool

	// OpenTimeout bounds opening and reading a network stream. It is passed
	// to FFmpeg as its socket timeout, because OpenCV's own default is 30 s
	// and a gocv open cannot be interrupted from Go.
	OpenTimeout time.Duration

	// FFmpegOptions is set as OPENCV_FFMPEG_CAPTURE_OPTIONS ("key;value|
	// key;value") while a network stream is opened. The default forces RTSP
	// over TCP (UDP loses packets, which shows as smeared frames). A
	// "timeout" entry derived from OpenTimeout is appended unless present.
	// Empty leaves the environment alone.
	FFmpegOptions string

	// Backoff spaces reconnect attempts of devices and network streams.
	Backoff Backoff

	// MaxAttempts is how many consecutive failed attempts a live source
	// makes before it gives up with StateFailed; 0 retries forever (a kiosk
	// waits for its camera). Files and folders never retry.
	MaxAttempts int

	// FPSWindow is how often the measured FPS in Status is refreshed (and
	// OnStatus called while live).
	FPSWindow time.Duration

	// OnStatus, when set, is called on the reader goroutine after every
	// status change and every FPSWindow while live. It must return quickly
	// and must not call Close (Close waits for that goroutine); a GUI
	// should hand the value to its UI thread (fyne.Do).
	OnStatus func(Status)

	// Clock is the time source for pacing, backoff and FPS measurement;
	// nil means the wall clock. Tests inject one to run backoff instantly.
	Clock Clock

	// Rand returns a number in [0,1) for backoff jitter; nil uses math/rand.
	Rand func() float64
}

// DefaultOptions returns the options for a kiosk preview: the device's own
// resolution at 30 fps, RTSP over TCP with a 3 s network timeout, reconnect
// forever with 0.5 s … 30 s backoff and 20 % jitter.
func DefaultOptions() Options {
	return Options{
		FPS:           0,
		OpenTimeout:   3 * time.Second,
		FFmpegOptions: "rtsp_transport;tcp",
		Backoff:       Backoff{Min: 500 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.2},
		FPSWindow:     time.Second,
	}
}

// Backoff is a capped exponential backoff with jitter: attempt n waits
// Min*Factor^(n-1), at most Max, minus up to Jitter of it at random, so
// that many kiosks behind one restarted NVR do not reconnect in lockstep.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64 // <= 1 means 2
	Jitter   float64 // fraction in [0,1] taken off at random
}

// Delay returns the wait before attempt n (1-based) given a random number
// r in [0,1). A zero Min or Max takes the default (0.5 s, 30 s), so a
// forgotten field never turns into a reconnect storm.
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 500 * time.Millisecond
	}
	if hi <= 0 {
		hi = 30 * time.Second
	}
	if hi < lo {
		hi = lo
	}
	f := b.Factor
	if f <= 1 {
		f = 2
	}
	d := float64(lo) * math.Pow(f, float64(attempt-1))
	if d > float64(hi) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(hi)
	}
	j := math.Min(math.Max(b.Jitter, 0), 1)
	d -= d * j * math.Min(math.Max(r, 0), 1)
	return time.Duration(d)
}

// Clock is the time the reader runs on (pacing, backoff, FPS): the one
// clock type of the kiosk, internal/clock.
type Clock = clock.Clock

// Timer is the part of *time.Timer the reader uses.
type Timer = clock.Timer
