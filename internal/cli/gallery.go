package cli

import (
	"context"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// openStore opens the kiosk store in dir with the key from the environment
// or the key file.
func openStore(dir string) (*storage.Store, error) {
	if dir == "" {
		return nil, errorf(errUsage, "--data DIR is required")
	}
	opts, err := storage.OptionsFromEnv()
	if err != nil {
		return nil, err
	}
	return storage.Open(dir, opts)
}

// loadGallery builds the 1:N index of active employees' templates (the
// kiosk's loader, checkin.LoadGallery) and returns those employees.
func loadGallery(ctx context.Context, st *storage.Store) (*recognition.Gallery, map[string]storage.Employee, error) {
	g := recognition.NewGallery()
	emps, err := checkin.LoadGallery(ctx, st, g)
	if err != nil {
		return nil, nil, err
	}
	return g, emps, nil
}

// identifier is what identify and watch need: the store, its gallery and
// employees, and a recognition engine. Close releases all of it.
type identifier struct {
	store     *storage.Store
	gallery   *recognition.Gallery
	employees map[string]storage.Employee
	engine    *recognition.Engine
}

func openIdentifier(ctx context.Context, data, models string) (*identifier, error) {
	st, err := openStore(data)
	if err != nil {
		return nil, err
	}
	g, emps, err := loadGallery(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	e, err := newEngine(models, recognition.HOG, 1)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &identifier{store: st, gallery: g, employees: emps, engine: e}, nil
}

func (id *identifier) Close() {
	id.engine.Close()
	id.store.Close()
}
