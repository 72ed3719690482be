package kiosk

import (
	"context"
	"fmt"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// Enrollment is what the wizard saves.
type Enrollment struct {
	Employee storage.Employee // NIP, name, unit
	PIN      string           // fallback PIN; "" keeps the current one
	Samples  []Sample
	Replace  bool // re-Enrollment: the new templates replace the old ones
}

// SaveEnrollment stores the employee, their templates (audited as enroll
// or re-enroll under the operator in ctx), enrollment photo and fallback
// PIN in one store transaction (storage.Enroll: all or nothing), then
// puts the person's templates in the live gallery so the next check-in
// recognises them. It hashes the PIN and fsyncs: never call it on the UI
// goroutine.
func SaveEnrollment(ctx context.Context, st *storage.Store, gal *recognition.Gallery, e Enrollment) ([]storage.Template, error) {
	if len(e.Samples) == 0 {
		return nil, fmt.Errorf("enroll %s: no samples", e.Employee.NIP)
	}
	en := storage.Enrollment{Employee: e.Employee, PIN: e.PIN, Replace: e.Replace}
	for _, s := range e.Samples {
		en.Templates = append(en.Templates, storage.Template{Descriptor: [storage.DescriptorLen]float32(s.Face.Descriptor),
			Quality: storage.TemplateQuality(s.Face.Quality)})
		if en.Photo == nil {
			en.Photo = s.Photo
		}
	}
	emp, saved, err := st.Enroll(ctx, en)
	if err != nil {
		return nil, err
	}
	return saved, checkin.RefreshGallery(ctx, st, gal, emp.NIP)
}
