package kiosk

import (
	"context"
	"errors"
	"fmt"
	hsync "github.com/hadir-id/hadir/sync"
	"path/filepath"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/memory"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// Detector is what the kiosk needs from the face engine: frames for the
// check-in pipeline and the enrollment capture, JPEG/PNG files for the
// bulk import. *recognition.Engine in production.
type Detector interface {
	checkin.Detector
	Detect(ctx context.Context, data []byte) ([]recognition.Face, error)
}

// Services are the kiosk's long-lived parts, built once at start and
// shared by every screen: one store (bbolt allows one process), one face
// engine (~170 MB of models), one gallery kept live by enrollment and
// sync, and the sync worker.
type Services struct {
	Store   *storage.Store
	DataDir string
	Engine  Detector
	Gallery *recognition.Gallery
	Sync    Syncer
	close   []func()
	loaded  bool // the gallery is filled

	SyncOpts hsync.Options // for the sync worker finish builds
}

// Close releases what OpenServices acquired, in reverse order.
func (s *Services) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
	s.close = nil
}

// StartupError is why the kiosk cannot run at all; the screen explains it
// instead of crashing. Key is the translation of the title/explanation.
type StartupError struct {
	Key string // "problem.store_locked", "problem.models_missing", ...
	Err error
}

func (e *StartupError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *StartupError) Unwrap() error { return e.Err }

// OpenServices opens the store in dataDir and the face engine in
// modelsDir, and fills the gallery from the store. A failure the operator
// can fix (store in use, models missing, wrong key) comes back as a
// *StartupError naming what to show.
func OpenServices(ctx context.Context, dataDir, modelsDir string, SyncOpts hsync.Options) (*Services, error) {
	opts, err := storage.OptionsFromEnv()
	if err != nil {
		return nil, &StartupError{Key: "problem.store_key", Err: err}
	}
	st, err := storage.Open(dataDir, opts)
	if err != nil {
		return nil, &StartupError{Key: storeProblem(err), Err: fmt.Errorf("open store %s: %w", dataDir, err)}
	}
	s := &Services{Store: st, DataDir: dataDir, Gallery: recognition.NewGallery(), SyncOpts: SyncOpts}
	s.close = append(s.close, func() { _ = st.Close() })
	// The gallery first: its loading reads every template page, and
	// those are given back before the face models take their ~100 MiB,
	// so the two never add up at start.
	if err := loadGallery(ctx, st, s.Gallery); err != nil {
		s.Close()
		return nil, &StartupError{Key: "problem.store_corrupt", Err: err}
	}
	s.loaded = true
	eng, err := recognition.NewEngine(modelsDir, recognition.DefaultOptions())
	if err != nil {
		s.Close()
		key := "problem.Engine"
		if errors.Is(err, recognition.ErrModelMissing) {
			key = "problem.models_missing"
		}
		return nil, &StartupError{Key: key, Err: fmt.Errorf("face models in %s: %w", modelsDir, err)}
	}
	s.Engine = eng
	s.close = append(s.close, eng.Close)
	if err := s.Finish(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// NewServices assembles services from parts opened elsewhere (tests with
// a stub engine or an offline syncer); the store is closed with them. A
// nil sy is built by Finish, which also fills the gallery: call it next.
func NewServices(st *storage.Store, dataDir string, eng Detector, sy Syncer) *Services {
	s := &Services{Store: st, DataDir: dataDir, Engine: eng, Gallery: recognition.NewGallery(), Sync: sy}
	s.close = append(s.close, func() { _ = st.Close() })
	return s
}

// Finish loads the gallery and builds the sync worker; tests call it on
// services made with a stub engine.
func (s *Services) Finish(ctx context.Context) error {
	if !s.loaded {
		if err := loadGallery(ctx, s.Store, s.Gallery); err != nil {
			return &StartupError{Key: "problem.store_corrupt", Err: err}
		}
	}
	if s.Sync == nil {
		sy, err := newWorkerSync(s.Store, s.Gallery, s.SyncOpts)
		if err != nil {
			sy = OfflineSync{} // the kiosk still records offline
		}
		s.Sync = sy
	}
	return nil
}

// loadGallery fills gal from the store (checkin.LoadGallery), then gives
// the template pages and the loading garbage back, so a tablet keeps only
// the gallery resident.
func loadGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery) error {
	if _, err := checkin.LoadGallery(ctx, st, gal); err != nil {
		return err
	}
	_ = st.ReleaseMemory()
	memory.Release()
	return nil
}

func storeProblem(err error) string {
	switch {
	case errors.Is(err, storage.ErrLocked):
		return "problem.store_locked"
	case errors.Is(err, storage.ErrWrongKey), errors.Is(err, storage.ErrNoKey):
		return "problem.store_key"
	case errors.Is(err, storage.ErrCorrupt):
		return "problem.store_corrupt"
	case errors.Is(err, storage.ErrNewerSchema):
		return "problem.store_newer"
	}
	return "problem.store_other"
}

// SoundDir is where the sound cues are extracted for the system player.
func (s *Services) SoundDir() string { return filepath.Join(s.DataDir, "sounds") }
