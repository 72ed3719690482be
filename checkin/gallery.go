package checkin

import (
	"context"
	"errors"
	"fmt"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// LoadGallery fills gal with the templates of every active employee in
// st, the one loader of the kiosk and the command-line tools, and
// returns those employees by NIP. Templates come grouped by NIP (the
// store's key order), so each person is added as their group ends,
// without a second copy of the whole gallery. An inactive employee is
// left out, as the sync worker leaves them out.
func LoadGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery) (map[string]storage.Employee, error) {
	return loadGallery(ctx, st, gal, false)
}

// LoadEnrolledGallery is LoadGallery without the adapted templates
// (storage.AdaptTemplate), for calibration (recognition.Calibrate): an
// adapted template is learnt near its person's others by construction,
// so it would make the genuine trials look better than enrollment photos
// are and the proposal looser than the data supports.
func LoadEnrolledGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery) (map[string]storage.Employee, error) {
	return loadGallery(ctx, st, gal, true)
}

func loadGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery, enrolledOnly bool) (map[string]storage.Employee, error) {
	emps, err := st.Employees(ctx)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	active := make(map[string]storage.Employee, len(emps))
	for _, e := range emps {
		if e.Status == storage.StatusActive {
			active[e.NIP] = e
		}
	}
	var nip string
	var ds []recognition.Descriptor
	flush := func() {
		if len(ds) > 0 {
			gal.Set(nip, ds)
		}
		ds = ds[:0]
	}
	err = st.ForEachTemplate(ctx, func(t storage.Template) error {
		if t.NIP != nip {
			flush()
			nip = t.NIP
		}
		if _, ok := active[t.NIP]; ok && !(enrolledOnly && t.Adapted) {
			ds = append(ds, recognition.Descriptor(t.Descriptor))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load face templates: %w", err)
	}
	flush()
	return active, nil
}

// RefreshGallery reloads one person's templates into gal after they were
// enrolled or changed (removed when they are gone or inactive).
func RefreshGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery, nip string) error {
	emp, err := st.Employee(ctx, nip)
	if err != nil || emp.Status != storage.StatusActive {
		gal.Remove(nip)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("reload employee %s: %w", nip, err)
		}
		return nil
	}
	all, err := st.Templates(ctx, nip)
	if err != nil {
		return fmt.Errorf("reload templates of %s: %w", nip, err)
	}
	ds := make([]recognition.Descriptor, len(all))
	for i, t := range all {
		ds[i] = recognition.Descriptor(t.Descriptor)
	}
	gal.Set(nip, ds)
	return nil
}
