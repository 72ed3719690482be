package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hadir-id/hadir/storage"
	hsync "github.com/hadir-id/hadir/sync"
)

// syncStatus is what the kiosk shows about the server link. It is the
// app's own copy of the fields it uses, so the screens do not depend on
// how the sync package lays out its status.
type syncStatus struct {
	Configured   bool // a server is known (registered or URL saved)
	Registered   bool
	Revoked      bool
	Online       bool
	ServerURL    string
	LastSuccess  time.Time
	Pending      int
	Oldest       time.Time
	Problem      string // sync problem code, translated as "sync.problem.<code>"
	LastError    string
	ClockOffset  time.Duration
	ClockWarning bool
	Conflicts    []duplicateFace
}

// duplicateFace is a server-side refusal of an enrollment: the face
// matches another NIP there.
type duplicateFace struct {
	NIP, ConflictNIP, ConflictName string
	Distance                       float64
}

// syncer is the part of the sync worker the kiosk uses. offlineSync
// stands in for it when the worker cannot be built, so the kiosk always
// runs fully offline.
type syncer interface {
	Run(ctx context.Context) error
	SyncNow()
	Status() syncStatus
	OnStatus(fn func(syncStatus))
	Register(ctx context.Context, serverURL, code, name string) error
	PushEnrollment(ctx context.Context, nip string) error
	ClockOffset() time.Duration
	Rejected(ctx context.Context) ([]storage.Event, error)
}

// errSyncNotConfigured: there is no server to talk to.
var errSyncNotConfigured = errors.New("no server configured")

// offlineSync is the "not configured" syncer: nothing leaves the kiosk.
type offlineSync struct{}

func (offlineSync) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (offlineSync) SyncNow()                      {}
func (offlineSync) Status() syncStatus            { return syncStatus{Problem: hsync.ProblemNotRegistered} }
func (offlineSync) OnStatus(func(syncStatus))     {}
func (offlineSync) Register(context.Context, string, string, string) error {
	return errSyncNotConfigured
}
func (offlineSync) PushEnrollment(context.Context, string) error { return errSyncNotConfigured }
func (offlineSync) ClockOffset() time.Duration                   { return 0 }
func (offlineSync) Rejected(context.Context) ([]storage.Event, error) {
	return nil, nil
}

// workerSync adapts the sync package's Worker. A kiosk that was never
// registered gets one too: its Run parks without any network call until
// an admin registers the device from the settings screen.
type workerSync struct{ w *hsync.Worker }

func newWorkerSync(store *storage.Store, gal hsync.Gallery, opts hsync.Options) (syncer, error) {
	w, err := hsync.New(store, gal, opts)
	if err != nil {
		return nil, err
	}
	return workerSync{w}, nil
}

func (s workerSync) Run(ctx context.Context) error {
	err := s.w.Run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
func (s workerSync) SyncNow()                   { s.w.SyncNow() }
func (s workerSync) Status() syncStatus         { return convertSync(s.w.Status()) }
func (s workerSync) ClockOffset() time.Duration { return s.w.ClockOffset() }
func (s workerSync) OnStatus(fn func(syncStatus)) {
	s.w.OnStatus(func(st hsync.Status) { fn(convertSync(st)) })
}
func (s workerSync) Register(ctx context.Context, url, code, name string) error {
	return s.w.Register(ctx, url, code, name)
}
func (s workerSync) PushEnrollment(ctx context.Context, nip string) error {
	return s.w.PushEnrollment(ctx, nip)
}
func (s workerSync) Rejected(ctx context.Context) ([]storage.Event, error) {
	return s.w.Rejected(ctx)
}

func convertSync(st hsync.Status) syncStatus {
	out := syncStatus{
		Configured: st.Registered || st.ServerURL != "", Registered: st.Registered, Revoked: st.Revoked,
		Online: st.Online, ServerURL: st.ServerURL, LastSuccess: st.LastSuccess, Pending: st.Pending,
		Oldest: st.OldestPending, Problem: st.Problem, LastError: st.LastError,
		ClockOffset: st.ClockOffset, ClockWarning: st.ClockWarning,
	}
	for _, c := range st.Conflicts {
		out.Conflicts = append(out.Conflicts, duplicateFace{NIP: c.NIP, ConflictNIP: c.ConflictNIP, ConflictName: c.ConflictName, Distance: c.Distance})
	}
	return out
}

// asDuplicateFace extracts a server-side duplicate refusal from err.
func asDuplicateFace(err error) (duplicateFace, bool) {
	var d *hsync.DuplicateFaceError
	if errors.As(err, &d) {
		return duplicateFace{NIP: d.NIP, ConflictNIP: d.ConflictNIP, ConflictName: d.ConflictName, Distance: d.Distance}, true
	}
	return duplicateFace{}, false
}

// syncOptions are the sync worker's options from the kiosk's start-up
// configuration: zero fields are the sync package's defaults.
func syncOptions(cfg Config) hsync.Options {
	o := hsync.DefaultOptions()
	if cfg.InsecureHTTP {
		o.AllowInsecureHTTP = true
		slog.Warn("sync: --lab-insecure-http: plain http to a remote server is allowed (lab only; device tokens travel unencrypted)")
	}
	return o
}

// syncProblemKey maps a sync error to a translation key.
func syncErrorKey(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errSyncNotConfigured), errors.Is(err, hsync.ErrNotRegistered):
		return "sync.problem.not_registered"
	case errors.Is(err, hsync.ErrInvalidCode):
		return "sync.err.invalid_code"
	case errors.Is(err, hsync.ErrDeviceExists):
		return "sync.err.device_exists"
	case errors.Is(err, hsync.ErrRevoked):
		return "sync.problem.revoked"
	case errors.Is(err, hsync.ErrUnauthorized):
		return "sync.problem.unauthorized"
	case errors.Is(err, hsync.ErrOffline):
		return "sync.problem.offline"
	case errors.Is(err, hsync.ErrServer):
		return "sync.problem.server_error"
	case errors.Is(err, hsync.ErrDuplicateFace):
		return "sync.err.duplicate_face"
	case errors.Is(err, hsync.ErrInsecureURL):
		return "sync.problem.insecure_url"
	case errors.Is(err, hsync.ErrRekeyRefused):
		return "sync.problem.rekey_refused"
	}
	return "sync.problem.other"
}
