package sync

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// Gallery is the live 1:N index the kiosk recognises against
// (*recognition.Gallery): roster changes reach it without a restart.
type Gallery interface {
	Set(id string, templates []recognition.Descriptor)
	Remove(id string)
}

// Store keys the worker keeps its state under.
const (
	secretToken    = "sync.device_token"
	settingURL     = "sync.server_url"
	settingUnits   = "sync.units"
	settingRev     = "sync.roster_revision"
	settingOffset  = "sync.clock_offset_ns"
	settingEnrollQ = "sync.enrollment_queue"
)

// Actor is the name audit entries written by the worker carry.
const Actor = "sync"

// offsetPersistStep: the measured clock offset is written to the store
// only when it moved this much since the last write (a write per
// exchange would be an fsync and an audit entry each time).
const offsetPersistStep = time.Second

// Worker synchronises one kiosk store with the server. Create it with
// New, run Run in a goroutine the caller owns, and call the other methods
// from anywhere: they are safe for concurrent use.
type Worker struct {
	store   *storage.Store
	gallery Gallery
	opts    Options
	tls     *tls.Config
	wake    chan struct{}
	running atomic.Bool
	offset  atomic.Int64 // latest clock offset, ns

	cycleMu gosync.Mutex // one sync cycle (or registration) at a time
	// Guarded by cycleMu:
	cl            *conn
	revision      uint64
	savedOffset   time.Duration
	lastHeartbeat time.Time

	queueMu gosync.Mutex // the enrollment queue setting

	mu        gosync.Mutex // status and listeners
	status    Status
	listeners []func(Status)
}

// New prepares a worker for store (and gallery, which may be nil). It
// reads the saved registration, revision and clock offset but makes no
// network call.
func New(store *storage.Store, gallery Gallery, opts Options) (*Worker, error) {
	if store == nil {
		return nil, errors.New("sync: nil store")
	}
	opts = opts.withDefaults()
	if opts.ServerURL != "" {
		u, err := checkURL(opts.ServerURL, opts.AllowInsecureHTTP, opts.Logger)
		if err != nil {
			return nil, fmt.Errorf("sync: %w", err)
		}
		opts.ServerURL = u
	}
	cfg, err := tlsConfig(opts.CAFile)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	w := &Worker{store: store, gallery: gallery, opts: opts, tls: cfg, wake: make(chan struct{}, 1)}
	ctx := context.Background()
	if v, err := w.setting(ctx, settingRev); err != nil {
		return nil, err
	} else if v != "" {
		if w.revision, err = strconv.ParseUint(v, 10, 64); err != nil {
			return nil, fmt.Errorf("sync: setting %s: %w", settingRev, err)
		}
	}
	if v, err := w.setting(ctx, settingOffset); err != nil {
		return nil, err
	} else if v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sync: setting %s: %w", settingOffset, err)
		}
		w.savedOffset = time.Duration(n)
		w.offset.Store(n)
	}
	url, err := w.serverURL(ctx)
	if err != nil {
		return nil, err
	}
	units, err := w.setting(ctx, settingUnits)
	if err != nil {
		return nil, err
	}
	_, terr := store.Secret(ctx, secretToken)
	if terr != nil && !errors.Is(terr, storage.ErrNotFound) {
		return nil, fmt.Errorf("sync: read device token: %w", terr)
	}
	w.status = Status{Registered: terr == nil, ServerURL: url, Units: splitUnits(units), Revision: w.revision}
	w.status.ClockOffset, w.status.ClockWarning = w.savedOffset, w.skewed(w.savedOffset)
	if !w.status.Registered {
		w.status.Problem, w.status.LastError = ProblemNotRegistered, ErrNotRegistered.Error()
	}
	if _, err := w.refreshPending(ctx); err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	return w, nil
}

func splitUnits(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// setting reads a setting, "" when unset.
func (w *Worker) setting(ctx context.Context, key string) (string, error) {
	v, err := w.store.Setting(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sync: %w: read setting %s: %w", errStorage, key, err)
	}
	return v, nil
}

func (w *Worker) actor(ctx context.Context) context.Context { return storage.WithActor(ctx, Actor) }

// serverURL is the URL saved at registration, else Options.ServerURL.
func (w *Worker) serverURL(ctx context.Context) (string, error) {
	v, err := w.setting(ctx, settingURL)
	if err != nil || v != "" {
		return v, err
	}
	return w.opts.ServerURL, nil
}

// ClockOffset is the latest measured server time minus device time; the
// kiosk stores it on every new event (storage.Event.ClockOffset). It
// survives a restart.
func (w *Worker) ClockOffset() time.Duration { return time.Duration(w.offset.Load()) }

func (w *Worker) skewed(d time.Duration) bool {
	return d > w.opts.MaxClockSkew || d < -w.opts.MaxClockSkew
}

// observeOffset takes one measurement (called by api.do).
func (w *Worker) observeOffset(d time.Duration) {
	w.offset.Store(int64(d))
	warn := w.skewed(d)
	w.setStatus(func(s *Status) {
		if warn && !s.ClockWarning {
			w.opts.Logger.Warn("sync: device clock differs from the server", "offset", d)
		}
		s.ClockOffset, s.ClockWarning = d, warn
	})
}

// saveOffset persists the offset when it moved enough; cycleMu held.
func (w *Worker) saveOffset(ctx context.Context) error {
	d := w.ClockOffset()
	if math.Abs(float64(d-w.savedOffset)) < float64(offsetPersistStep) {
		return nil
	}
	if err := w.store.SetSetting(w.actor(ctx), settingOffset, strconv.FormatInt(int64(d), 10)); err != nil {
		return fmt.Errorf("save clock offset: %w: %w", errStorage, err)
	}
	w.savedOffset = d
	return nil
}

// client returns the API client for the registered server; cycleMu held.
func (w *Worker) client(ctx context.Context) (*conn, error) {
	if w.cl != nil {
		return w.cl, nil
	}
	cl, err := w.freshClient(ctx)
	if err != nil {
		return nil, err
	}
	w.cl = cl
	return cl, nil
}

// SyncNow wakes Run for an immediate cycle, skipping any backoff wait.
// It never blocks.
func (w *Worker) SyncNow() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run synchronises until ctx ends, then returns ctx's error. After a
// successful cycle it waits Options.Interval, after a failure a backoff;
// a revoked or unregistered device waits (without network calls) until
// Register or SyncNow. Only one Run may be active per worker.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("sync: Run is already running for this worker")
	}
	defer w.running.Store(false)
	defer w.closeIdle()
	bo := newBackoff(w.opts.MinBackoff, w.opts.MaxBackoff, w.opts.Rand)
	for {
		err := w.Sync(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait, park := w.opts.Interval, false
		switch {
		case err == nil:
			bo.Reset()
		case errors.Is(err, ErrRevoked), errors.Is(err, ErrNotRegistered), errors.Is(err, ErrRekeyRefused):
			park = true
		default:
			wait = bo.Next()
			w.opts.Logger.Warn("sync: cycle failed", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
		if !w.sleep(ctx, wait, park) {
			return ctx.Err()
		}
	}
}

// closeIdle drops the client's idle connections when Run ends.
func (w *Worker) closeIdle() {
	w.cycleMu.Lock()
	defer w.cycleMu.Unlock()
	if w.cl != nil {
		w.cl.close()
	}
}

// sleep waits d (forever when park) or until SyncNow; false when ctx ended.
func (w *Worker) sleep(ctx context.Context, d time.Duration, park bool) bool {
	var fire <-chan time.Time
	if !park {
		t := w.opts.Clock.NewTimer(d)
		defer t.Stop()
		fire = t.C()
	}
	select {
	case <-ctx.Done():
		return false
	case <-w.wake:
	case <-fire:
	}
	return true
}

// Sync runs one cycle now: a heartbeat when due, every outbox event (in
// batches), queued enrollments, then roster changes. It
// returns the first failure; ErrRevoked and ErrNotRegistered mean no
// further cycle can succeed until Register.
func (w *Worker) Sync(ctx context.Context) error {
	w.cycleMu.Lock()
	defer w.cycleMu.Unlock()
	err := w.cycle(ctx)
	if ctx.Err() == nil {
		// Keep what was measured even when the cycle failed later on.
		if serr := w.saveOffset(ctx); err == nil {
			err = serr
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			w.fail(err)
		}
		return err
	}
	w.setStatus(func(s *Status) { s.Problem, s.LastError = ProblemNone, "" })
	return nil
}

func (w *Worker) cycle(ctx context.Context) error {
	cl, err := w.client(ctx)
	if err != nil {
		return err
	}
	// The heartbeat goes first so the server hears about a kiosk whose
	// pushes fail; its own failure stops the cycle only when the device
	// is refused (the push would fail the same way) or ctx ended.
	if err := w.heartbeatIfDue(ctx, cl); err != nil {
		if errors.Is(err, ErrRevoked) || errors.Is(err, ErrUnauthorized) || ctx.Err() != nil {
			return err
		}
		w.opts.Logger.Warn("sync: heartbeat failed", "err", err)
	}
	// Queued enrollments first, so the server knows a NIP enrolled
	// offline before its events arrive (they would be kept aside as an
	// unknown NIP), and before the roster pull, which would otherwise
	// overwrite them with the server's older state; then attendance.
	for _, step := range []func(context.Context, *conn) error{w.pushEnrollmentQueue, w.push, w.pull} {
		if err := step(ctx, cl); err != nil {
			return err
		}
	}
	return nil
}

// exchange is api.do plus status bookkeeping and revocation handling.
func (w *Worker) exchange(ctx context.Context, cl *conn, op, method, path string, q map[string][]string, body []byte, out any) error {
	err := cl.do(ctx, op, method, path, q, body, out)
	if ctx.Err() == nil {
		w.attempt(err)
	}
	if errors.Is(err, ErrRevoked) {
		w.opts.Logger.Error("sync: the server revoked this device; sync stopped until it is registered again")
	}
	return err
}
