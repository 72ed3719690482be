// Package kiosk is the kiosk's operations without its window: the wiring
// of store, face engine, gallery and sync worker (Services), the operator
// session and its idle lock, settings, sync status, enrollment saving and
// capture, bulk import, the attendance export, photos, sound cues and the
// audit trail. It imports no GUI toolkit, so each operation is tested
// without a window; package app shows its state and calls it.
//
// Most operations read or write the store (argon2 hashing, fsync): the
// screens call them off the UI goroutine. Methods say when they may run
// only on the UI goroutine.
package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/storage"
)

// Options are the seams tests use; production leaves them zero.
type Options struct {
	// Clock is the kiosk's time: idle lock, the check-in pipeline,
	// enrollment sample spacing and the camera's playback of files
	// (nil: the wall clock).
	Clock clock.Clock
	// Tune adjusts the check-in pipeline's options after the settings
	// are applied (tests, the screenshot tour).
	Tune func(*checkin.Options)
}

// Kiosk is the controller of one kiosk: what it was started with, its
// services once loaded, and the operator session.
type Kiosk struct {
	ctx   context.Context // ends when the kiosk shuts down
	Cfg   Config
	opt   Options
	clock clock.Clock
	svc   *Services
	// Lock is the operator session; UI goroutine only.
	Lock   IdleLock
	photos *PhotoCache
	bg     sync.WaitGroup // the sync worker and the retention loop

	pipe  *checkin.Pipeline             // built by Pipeline; UI goroutine only
	stale atomic.Bool                   // settings changed: rebuild pipe
	loc   atomic.Pointer[time.Location] // the schedule's time zone; nil: read it again
}

// New makes the controller; its goroutines (Start) end with ctx.
func New(ctx context.Context, cfg Config, opt Options) *Kiosk {
	return &Kiosk{ctx: ctx, Cfg: cfg, opt: opt, clock: clock.Or(opt.Clock)}
}

// Start takes the loaded services and starts the sync worker and the
// retention loop (old photos and synced events), both owned by the Kiosk
// until its context ends.
func (k *Kiosk) Start(svc *Services) {
	k.svc = svc
	k.photos = NewPhotoCache(svc.Store)
	k.bg.Add(2)
	go func() { // the sync worker: ends with k.ctx
		defer k.bg.Done()
		_ = svc.Sync.Run(k.ctx)
	}()
	go func() { // retention: ends with k.ctx
		defer k.bg.Done()
		_ = svc.Store.Run(k.ctx, nil)
	}()
}

// Close waits for the goroutines Start began (the caller has ended the
// context given to New) and closes the services.
func (k *Kiosk) Close() {
	k.bg.Wait()
	if k.svc != nil {
		k.svc.Close()
	}
}

// Context ends when the kiosk shuts down.
func (k *Kiosk) Context() context.Context { return k.ctx }

// Services are the store, engine, gallery and sync worker; nil before
// Start.
func (k *Kiosk) Services() *Services { return k.svc }

// Clock is the kiosk's one clock.
func (k *Kiosk) Clock() clock.Clock { return k.clock }

// Now is the kiosk's time.
func (k *Kiosk) Now() time.Time { return k.clock.Now() }

// Photos are the enrollment photos the result card shows.
func (k *Kiosk) Photos() *PhotoCache { return k.photos }

// Actor is the kiosk's context naming the logged-in operator ("kiosk"
// when none) for the audit log. UI goroutine only (it reads Lock); the
// context it returns may go anywhere.
func (k *Kiosk) Actor() context.Context {
	name := "kiosk"
	if s := k.Lock.Session(); s != nil {
		name = s.Name
	}
	return storage.WithActor(k.ctx, name)
}

// Audit appends an entry under the operator in ctx (Actor); a failure is
// only logged: the action itself already happened. It fsyncs: not on the
// UI goroutine.
func (k *Kiosk) Audit(ctx context.Context, a storage.Audit) {
	if k.svc == nil {
		return
	}
	if err := k.svc.Store.RecordAudit(ctx, a); err != nil {
		slog.Error("audit "+string(a.Action), "err", err)
	}
}
