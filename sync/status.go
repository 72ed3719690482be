package sync

import (
	"errors"
	"time"
)

// Problem codes in Status.Problem: data for the GUI, which translates
// them; Status.LastError has the English detail for logs and support.
const (
	ProblemNone          = ""
	ProblemNotRegistered = "not_registered" // register the kiosk with a one-time code
	ProblemRevoked       = "revoked"        // the server revoked this kiosk; register again
	ProblemUnauthorized  = "unauthorized"   // the server does not know the token
	ProblemOffline       = "offline"        // server unreachable
	ProblemServer        = "server_error"   // server answered 5xx
	ProblemProtocol      = "protocol"       // answer does not follow the contract
	ProblemStorage       = "storage"        // the local store failed
	ProblemRekeyRefused  = "rekey_refused"  // the server will not re-key this kiosk; register again
	ProblemInsecureURL   = "insecure_url"   // http:// to a remote server; use https
	ProblemOther         = "other"
)

// Status is what the GUI's admin screen and status line show.
type Status struct {
	// Registered: the kiosk holds a device token.
	Registered bool
	// Revoked: the server revoked the device; sync stopped, outbox kept.
	Revoked bool
	// Online: the last exchange reached the server and succeeded.
	Online bool
	// ServerURL the kiosk syncs with; Units it receives the roster of
	// (empty: all units).
	ServerURL string
	Units     []string
	// LastAttempt and LastSuccess: the last exchange tried, and the last
	// one the server answered successfully.
	LastAttempt time.Time
	LastSuccess time.Time
	// Pending events in the outbox, and the device time of the oldest.
	Pending       int
	OldestPending time.Time
	// Problem is a code (see the Problem constants); LastError its
	// detail. Both empty after a successful cycle.
	Problem   string
	LastError string
	// ClockOffset is server time minus device time from the last
	// exchange; ClockWarning when |ClockOffset| > Options.MaxClockSkew.
	ClockOffset  time.Duration
	ClockWarning bool
	// Revision is the last roster revision applied.
	Revision uint64
	// ChainBroken is the server's report of a break in this kiosk's hash
	// chain (empty when intact).
	ChainBroken string
	// Conflicts are enrollments the server refused in the background
	// because the face matches another NIP; the operator must resolve
	// them.
	Conflicts []DuplicateFaceError
}

func problemOf(err error) string {
	switch {
	case err == nil:
		return ProblemNone
	case errors.Is(err, ErrNotRegistered):
		return ProblemNotRegistered
	case errors.Is(err, ErrRevoked):
		return ProblemRevoked
	case errors.Is(err, ErrRekeyRefused):
		return ProblemRekeyRefused
	case errors.Is(err, ErrInsecureURL):
		return ProblemInsecureURL
	case errors.Is(err, ErrUnauthorized):
		return ProblemUnauthorized
	case errors.Is(err, ErrOffline):
		return ProblemOffline
	case errors.Is(err, ErrServer):
		return ProblemServer
	case errors.Is(err, ErrProtocol), errors.Is(err, ErrBadRequest), errors.Is(err, ErrTooLarge):
		return ProblemProtocol
	case errors.Is(err, errStorage):
		return ProblemStorage
	}
	return ProblemOther
}

// errStorage marks failures of the local store inside a sync cycle.
var errStorage = errors.New("local store")

// Status returns a snapshot of the sync state.
func (w *Worker) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.snapshotLocked()
}

func (w *Worker) snapshotLocked() Status {
	s := w.status
	s.Units = append([]string(nil), s.Units...)
	s.Conflicts = append([]DuplicateFaceError(nil), s.Conflicts...)
	return s
}

// OnStatus registers fn to be called with every new status (from the
// goroutine that changed it: fn must return quickly and not call back
// into the worker's blocking methods; a GUI hands it to its UI thread).
func (w *Worker) OnStatus(fn func(Status)) {
	w.mu.Lock()
	w.listeners = append(w.listeners, fn)
	w.mu.Unlock()
}

// setStatus changes the status under the lock and notifies listeners
// outside it.
func (w *Worker) setStatus(change func(*Status)) {
	w.mu.Lock()
	change(&w.status)
	snap := w.snapshotLocked()
	ls := append([]func(Status){}, w.listeners...)
	w.mu.Unlock()
	for _, fn := range ls {
		fn(snap)
	}
}

// attempt records the outcome of one exchange.
func (w *Worker) attempt(err error) {
	now := w.opts.Clock.Now()
	w.setStatus(func(s *Status) {
		s.LastAttempt = now
		switch {
		case err == nil:
			s.Online, s.LastSuccess, s.Revoked = true, now, false
		case errors.Is(err, ErrOffline), errors.Is(err, ErrServer):
			s.Online = false
		case errors.Is(err, ErrRevoked):
			s.Online, s.Revoked = false, true
		}
	})
}

// fail records a failed cycle.
func (w *Worker) fail(err error) {
	w.setStatus(func(s *Status) {
		s.Problem, s.LastError = problemOf(err), err.Error()
		if errors.Is(err, ErrOffline) || errors.Is(err, ErrServer) || errors.Is(err, ErrRevoked) || errors.Is(err, ErrUnauthorized) {
			s.Online = false
		}
		if errors.Is(err, ErrRevoked) {
			s.Revoked = true
		}
		if errors.Is(err, ErrNotRegistered) {
			s.Registered = false
		}
	})
}
