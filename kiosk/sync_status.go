package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hadir-id/hadir/storage"
	hsync "github.com/hadir-id/hadir/sync"
)

// SyncStatus is what the kiosk shows about the server link. It is the
// app's own copy of the fields it uses, so the screens do not depend on
// how the sync package lays out its status.
type SyncStatus struct {
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
	Conflicts    []DuplicateFace
}

// DuplicateFace is a server-side refusal of an enrollment: the face
// matches another NIP there.
type DuplicateFace struct {
	NIP, ConflictNIP, ConflictName string
	Distance                       float64
}

// Syncer is the part of the sync worker the kiosk uses. OfflineSync
// stands in for it when the worker cannot be built, so the kiosk always
// runs fully offline.
type Syncer interface {
	Run(ctx context.Context) error
	SyncNow()
	Status() SyncStatus
	OnStatus(fn func(SyncStatus))
	Register(ctx context.Context, serverURL, code, name string) error
	PushEnrollment(ctx context.Context, nip string) error
	QueueEnrollment(ctx context.Context, nip string) error
	ClockOffset() time.Duration
	Rejected(ctx context.Context) ([]storage.Event, error)
}

// ErrSyncNotConfigured: there is no server to talk to.
var ErrSyncNotConfigured = errors.New("no server configured")

// OfflineSync is the "not configured" syncer: nothing leaves the kiosk.
type OfflineSync struct{}

func (OfflineSync) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (OfflineSync) SyncNow()                      {}
func (OfflineSync) Status() SyncStatus            { return SyncStatus{Problem: hsync.ProblemNotRegistered} }
func (OfflineSync) OnStatus(func(SyncStatus))     {}
func (OfflineSync) Register(context.Context, string, string, string) error {
	return ErrSyncNotConfigured
}
func (OfflineSync) PushEnrollment(context.Context, string) error  { return ErrSyncNotConfigured }
func (OfflineSync) QueueEnrollment(context.Context, string) error { return ErrSyncNotConfigured }
func (OfflineSync) ClockOffset() time.Duration                    { return 0 }
func (OfflineSync) Rejected(context.Context) ([]storage.Event, error) {
	return nil, nil
}

// workerSync adapts the sync package's Worker. A kiosk that was never
// registered gets one too: its Run parks without any network call until
// an admin registers the device from the settings screen.
type workerSync struct{ w *hsync.Worker }

func newWorkerSync(store *storage.Store, gal hsync.Gallery, opts hsync.Options) (Syncer, error) {
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
func (s workerSync) Status() SyncStatus         { return convertSync(s.w.Status()) }
func (s workerSync) ClockOffset() time.Duration { return s.w.ClockOffset() }
func (s workerSync) OnStatus(fn func(SyncStatus)) {
	s.w.OnStatus(func(st hsync.Status) { fn(convertSync(st)) })
}
func (s workerSync) Register(ctx context.Context, url, code, name string) error {
	return s.w.Register(ctx, url, code, name)
}
func (s workerSync) PushEnrollment(ctx context.Context, nip string) error {
	return s.w.PushEnrollment(ctx, nip)
}
func (s workerSync) QueueEnrollment(ctx context.Context, nip string) error {
	return s.w.QueueEnrollment(ctx, nip)
}
func (s workerSync) Rejected(ctx context.Context) ([]storage.Event, error) {
	return s.w.Rejected(ctx)
}

func convertSync(st hsync.Status) SyncStatus {
	out := SyncStatus{
		Configured: st.Registered || st.ServerURL != "", Registered: st.Registered, Revoked: st.Revoked,
		Online: st.Online, ServerURL: st.ServerURL, LastSuccess: st.LastSuccess, Pending: st.Pending,
		Oldest: st.OldestPending, Problem: st.Problem, LastError: st.LastError,
		ClockOffset: st.ClockOffset, ClockWarning: st.ClockWarning,
	}
	for _, c := range st.Conflicts {
		out.Conflicts = append(out.Conflicts, DuplicateFace{NIP: c.NIP, ConflictNIP: c.ConflictNIP, ConflictName: c.ConflictName, Distance: c.Distance})
	}
	return out
}

// AsDuplicateFace extracts a server-side duplicate refusal from err.
func AsDuplicateFace(err error) (DuplicateFace, bool) {
	var d *hsync.DuplicateFaceError
	if errors.As(err, &d) {
		return DuplicateFace{NIP: d.NIP, ConflictNIP: d.ConflictNIP, ConflictName: d.ConflictName, Distance: d.Distance}, true
	}
	return DuplicateFace{}, false
}

// SyncOptions are the sync worker's options from the kiosk's start-up
// configuration: zero fields are the sync package's defaults.
func SyncOptions(cfg Config) hsync.Options {
	o := hsync.DefaultOptions()
	if cfg.InsecureHTTP {
		o.AllowInsecureHTTP = true
		slog.Warn("sync: --lab-insecure-http: plain http to a remote server is allowed (lab only; device tokens travel unencrypted)")
	}
	return o
}

// SyncErrorKey maps a sync error to a translation key.
func SyncErrorKey(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrSyncNotConfigured), errors.Is(err, hsync.ErrNotRegistered):
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
