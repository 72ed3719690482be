package app

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

// detector is what the kiosk needs from the face engine: frames for the
// check-in pipeline and the enrollment capture, JPEG/PNG files for the
// bulk import. *recognition.Engine in production.
type detector interface {
	checkin.Detector
	Detect(ctx context.Context, data []byte) ([]recognition.Face, error)
}

// services are the kiosk's long-lived parts, built once at start and
// shared by every screen: one store (bbolt allows one process), one face
// engine (~170 MB of models), one gallery kept live by enrollment and
// sync, and the sync worker.
type services struct {
	store   *storage.Store
	dataDir string
	engine  detector
	gallery *recognition.Gallery
	sync    syncer
	close   []func()
	loaded  bool // the gallery is filled

	syncOpts hsync.Options // for the sync worker finish builds
}

// Close releases what openServices acquired, in reverse order.
func (s *services) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
	s.close = nil
}

// startupError is why the kiosk cannot run at all; the screen explains it
// instead of crashing. Key is the translation of the title/explanation.
type startupError struct {
	Key string // "problem.store_locked", "problem.models_missing", ...
	Err error
}

func (e *startupError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *startupError) Unwrap() error { return e.Err }

// openServices opens the store in dataDir and the face engine in
// modelsDir, and fills the gallery from the store. A failure the operator
// can fix (store in use, models missing, wrong key) comes back as a
// *startupError naming what to show.
func openServices(ctx context.Context, dataDir, modelsDir string, syncOpts hsync.Options) (*services, error) {
	opts, err := storage.OptionsFromEnv()
	if err != nil {
		return nil, &startupError{Key: "problem.store_key", Err: err}
	}
	st, err := storage.Open(dataDir, opts)
	if err != nil {
		return nil, &startupError{Key: storeProblem(err), Err: fmt.Errorf("open store %s: %w", dataDir, err)}
	}
	s := &services{store: st, dataDir: dataDir, gallery: recognition.NewGallery(), syncOpts: syncOpts}
	s.close = append(s.close, func() { _ = st.Close() })
	// The gallery first: its loading reads every template page, and
	// those are given back before the face models take their ~100 MiB,
	// so the two never add up at start.
	if err := loadGallery(ctx, st, s.gallery); err != nil {
		s.Close()
		return nil, &startupError{Key: "problem.store_corrupt", Err: err}
	}
	s.loaded = true
	eng, err := recognition.NewEngine(modelsDir, recognition.DefaultOptions())
	if err != nil {
		s.Close()
		key := "problem.engine"
		if errors.Is(err, recognition.ErrModelMissing) {
			key = "problem.models_missing"
		}
		return nil, &startupError{Key: key, Err: fmt.Errorf("face models in %s: %w", modelsDir, err)}
	}
	s.engine = eng
	s.close = append(s.close, eng.Close)
	if err := s.finish(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// finish loads the gallery and builds the sync worker; tests call it on
// services made with a stub engine.
func (s *services) finish(ctx context.Context) error {
	if !s.loaded {
		if err := loadGallery(ctx, s.store, s.gallery); err != nil {
			return &startupError{Key: "problem.store_corrupt", Err: err}
		}
	}
	if s.sync == nil {
		sy, err := newWorkerSync(s.store, s.gallery, s.syncOpts)
		if err != nil {
			sy = offlineSync{} // the kiosk still records offline
		}
		s.sync = sy
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

// soundDir is where the sound cues are extracted for the system player.
func (s *services) soundDir() string { return filepath.Join(s.dataDir, "sounds") }
