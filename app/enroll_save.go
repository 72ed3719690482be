package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// enrollment is what the wizard saves.
type enrollment struct {
	Employee storage.Employee // NIP, name, unit
	PIN      string           // fallback PIN; "" keeps the current one
	Samples  []sample
	Replace  bool // re-enrollment: the new templates replace the old ones
}

// ensureEmployee creates the employee, or updates the name and unit of an
// existing one when they changed (audited by the store).
func ensureEmployee(ctx context.Context, st *storage.Store, e storage.Employee) (storage.Employee, error) {
	cur, err := st.Employee(ctx, e.NIP)
	switch {
	case isNotFound(err):
		e.Status, e.Version = storage.StatusActive, 0
	case err != nil:
		return cur, fmt.Errorf("look up employee %s: %w", e.NIP, err)
	case cur.Name == e.Name && cur.Unit == e.Unit:
		return cur, nil
	default:
		cur.Name, cur.Unit = e.Name, e.Unit
		e = cur
	}
	saved, err := st.PutEmployee(ctx, e)
	if err != nil {
		return saved, fmt.Errorf("save employee %s: %w", e.NIP, err)
	}
	return saved, nil
}

// saveEnrollment stores the employee, their templates (audited as enroll
// or re-enroll under the operator in ctx), enrollment photo and fallback
// PIN, then puts the person's templates in the live gallery so the next
// check-in recognises them.
func saveEnrollment(ctx context.Context, st *storage.Store, gal *recognition.Gallery, e enrollment) ([]storage.Template, error) {
	if len(e.Samples) == 0 {
		return nil, fmt.Errorf("enroll %s: no samples", e.Employee.NIP)
	}
	emp, err := ensureEmployee(ctx, st, e.Employee)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	tpls := make([]storage.Template, 0, len(e.Samples))
	var photo []byte
	for _, s := range e.Samples {
		tpls = append(tpls, storage.Template{Descriptor: [storage.DescriptorLen]float32(s.Face.Descriptor),
			Quality: storage.TemplateQuality(s.Face.Quality), TakenAt: now})
		if photo == nil {
			photo = s.Photo
		}
	}
	old, err := st.Templates(ctx, emp.NIP)
	if err != nil {
		return nil, fmt.Errorf("read templates of %s: %w", emp.NIP, err)
	}
	var saved []storage.Template
	if e.Replace && len(old) > 0 {
		saved, err = st.ReplaceTemplates(ctx, emp.NIP, tpls)
	} else {
		saved, err = st.AddTemplates(ctx, emp.NIP, tpls)
	}
	if err != nil {
		return nil, fmt.Errorf("save templates of %s: %w", emp.NIP, err)
	}
	if photo != nil {
		if err := saveEnrollPhoto(ctx, st, emp.NIP, photo); err != nil {
			return saved, err
		}
	}
	if e.PIN != "" {
		if err := st.SetEmployeePIN(ctx, emp.NIP, e.PIN); err != nil {
			return saved, fmt.Errorf("set fallback PIN of %s: %w", emp.NIP, err)
		}
	}
	return saved, refreshGallery(ctx, st, gal, emp.NIP)
}

// refreshGallery reloads one person's templates into the gallery.
func refreshGallery(ctx context.Context, st *storage.Store, gal *recognition.Gallery, nip string) error {
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
