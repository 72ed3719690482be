package cli

import (
	"context"
	"fmt"

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

// loadGallery builds the 1:N index of active employees' templates.
func loadGallery(ctx context.Context, st *storage.Store) (*recognition.Gallery, map[string]storage.Employee, error) {
	emps, err := st.Employees(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load employees: %w", err)
	}
	byNIP := make(map[string]storage.Employee, len(emps))
	for _, e := range emps {
		if e.Status != storage.StatusInactive {
			byNIP[e.NIP] = e
		}
	}
	g := recognition.NewGallery()
	err = st.ForEachTemplate(ctx, func(t storage.Template) error {
		if _, ok := byNIP[t.NIP]; ok {
			g.Add(t.NIP, recognition.Descriptor(t.Descriptor))
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load templates: %w", err)
	}
	return g, byNIP, nil
}
