package camera

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors a caller can act on with errors.Is; the wrapped message
// names the source (with any password redacted).
var (
	// ErrBadSpec: the spec cannot name a source (empty, unknown scheme).
	ErrBadSpec = errors.New("bad source spec")
	// ErrNotFound: the file, folder or device node does not exist.
	ErrNotFound = errors.New("source not found")
	// ErrOpen: OpenCV could not open the source (no such camera, refused
	// connection, unknown format, timeout).
	ErrOpen = errors.New("cannot open source")
	// ErrNoFrames: the source opened but yielded no decodable frame
	// (garbage data, an empty folder).
	ErrNoFrames = errors.New("source yields no frames")
	// ErrLost: a live source stopped delivering frames (unplugged camera,
	// server restart, network cut); the reader reconnects.
	ErrLost = errors.New("stream lost")
	// ErrEnded: a file or folder without Loop reached its end.
	ErrEnded = errors.New("source ended")
	// ErrClosed: the Source was closed.
	ErrClosed = errors.New("source closed")
	// ErrEmptyFrame: a conversion was asked of a Frame that holds no
	// picture (Latest has not filled it yet).
	ErrEmptyFrame = errors.New("frame is empty")
)

// State is the coarse condition of a source, for the kiosk's status line.
type State int

// The states a Source goes through. Connecting → Live ⇄ Reconnecting, and
// finally Failed, Ended or Closed.
const (
	StateConnecting   State = iota + 1 // first open in progress
	StateLive                          // frames are arriving
	StateReconnecting                  // lost or failed to open; retrying after a backoff
	StateFailed                        // gave up; Status.Err says why
	StateEnded                         // a non-looping file or folder finished
	StateClosed                        // Close was called
)

// String is the state's name as shown in logs.
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateLive:
		return "live"
	case StateReconnecting:
		return "reconnecting"
	case StateFailed:
		return "failed"
	case StateEnded:
		return "ended"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// Done reports whether the state is final: no more frames will come.
func (s State) Done() bool { return s == StateFailed || s == StateEnded || s == StateClosed }

// Info describes the open stream as the backend reports it: the actual
// values, which may differ from what Options requested.
type Info struct {
	Width, Height int
	FPS           float64 // nominal rate from the container or driver; 0 if unknown
	Codec         string  // FOURCC, e.g. "h264", "avc1", "MJPG", "YUYV"; "" if unknown
}

// Status is a snapshot of a source for the UI and logs.
type Status struct {
	State   State
	Source  string    // the spec, password redacted
	Info    Info      // of the current connection (zero before the first)
	FPS     float64   // measured delivery rate over the last window (live only)
	Frames  uint64    // frames delivered since Open (also the latest sequence number)
	Attempt int       // consecutive failed attempts (reconnecting/failed)
	Err     error     // why it is reconnecting, failed or ended
	Since   time.Time // when State was entered
}

// String renders the status line the kiosk shows.
func (s Status) String() string {
	switch s.State {
	case StateLive:
		return fmt.Sprintf("live %dx%d %.1f fps (%s)", s.Info.Width, s.Info.Height, s.FPS, s.Source)
	case StateReconnecting:
		return fmt.Sprintf("reconnecting, attempt %d (%s): %v", s.Attempt, s.Source, s.Err)
	case StateFailed:
		return fmt.Sprintf("failed (%s): %v", s.Source, s.Err)
	}
	return fmt.Sprintf("%s (%s)", s.State, s.Source)
}
