package sync

import (
	"context"
	"errors"
	"fmt"
	"github.com/hadir-id/hadir/api"
	"net/http"
	"strconv"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// maxRosterPages bounds one pull (2,000 changes a page: 200 million).
const maxRosterPages = 100_000

// pull applies the roster changes since the saved revision, page by
// page; the revision is saved after each page is applied, so a crash
// re-applies at most one page (applying a change twice is harmless).
func (w *Worker) pull(ctx context.Context, cl *conn) error {
	for range maxRosterPages {
		q := map[string][]string{
			"since": {strconv.FormatUint(w.revision, 10)},
			"limit": {strconv.Itoa(w.opts.RosterPageSize)},
		}
		var r api.RosterResponse
		if err := w.exchange(ctx, cl, "pull roster", http.MethodGet, api.PathRoster, q, nil, &r); err != nil {
			return err
		}
		for _, ch := range r.Changes {
			if err := w.applyChange(ctx, ch); err != nil {
				return err
			}
		}
		if rev := uint64(max(r.Revision, 0)); rev != w.revision {
			if err := w.store.SetSetting(w.actor(ctx), settingRev, strconv.FormatUint(rev, 10)); err != nil {
				return fmt.Errorf("save roster revision: %w: %w", errStorage, err)
			}
			w.revision = rev
			w.setStatus(func(s *Status) { s.Revision = rev })
		}
		if !r.More {
			return nil
		}
		if len(r.Changes) == 0 {
			return fmt.Errorf("pull roster: %w: more=true with no changes", ErrProtocol)
		}
	}
	return fmt.Errorf("pull roster: %w: still more after %d pages", ErrProtocol, maxRosterPages)
}

// applyChange makes the store, then the gallery, match one change. A
// change the kiosk cannot use (bad NIP, bad descriptor) is logged and
// skipped rather than blocking every later change.
func (w *Worker) applyChange(ctx context.Context, ch api.RosterChange) error {
	actx := w.actor(ctx)
	if err := storage.ValidateNIP(ch.NIP); err != nil {
		w.opts.Logger.Warn("sync: skipping roster change with a bad NIP", "rev", ch.Rev, "err", err)
		return nil
	}
	if ch.Deleted {
		rep, err := w.store.EraseEmployee(actx, ch.NIP)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("erase employee %s: %w: %w", ch.NIP, errStorage, err)
		}
		if w.gallery != nil {
			w.gallery.Remove(ch.NIP)
		}
		if err == nil {
			w.opts.Logger.Info("sync: employee erased as the server asked", "nip", ch.NIP, "templates", rep.Templates, "photos", rep.Photos)
		}
		return nil
	}
	want, err := changeTemplates(ch)
	if err != nil {
		w.opts.Logger.Warn("sync: skipping unusable roster change", "rev", ch.Rev, "nip", ch.NIP, "err", err)
		return nil
	}
	emp, ok, err := w.putEmployee(actx, ch)
	if err != nil || !ok {
		return err
	}
	if err := w.putTemplates(actx, emp, want); err != nil {
		return err
	}
	if w.gallery == nil {
		return nil
	}
	if emp.Status != storage.StatusActive || len(want) == 0 {
		w.gallery.Remove(ch.NIP)
		return nil
	}
	ds := make([]recognition.Descriptor, len(want))
	for i, t := range want {
		ds[i] = recognition.Descriptor(t.Descriptor)
	}
	w.gallery.Set(ch.NIP, ds)
	return nil
}

func changeTemplates(ch api.RosterChange) ([]storage.Template, error) {
	if ch.Employee == nil || ch.Employee.NIP != ch.NIP {
		return nil, errors.New("employee missing or for another NIP")
	}
	out := make([]storage.Template, 0, len(ch.Templates))
	for i, wt := range ch.Templates {
		d, err := api.DecodeDescriptor(wt.Descriptor)
		if err != nil {
			return nil, fmt.Errorf("template %d: %w", i, err)
		}
		out = append(out, storage.Template{ID: wt.ID, NIP: ch.NIP, Descriptor: d, Quality: storage.TemplateQuality(wt.Quality), TakenAt: wt.TakenAt.UTC(), Adapted: wt.Adapted})
	}
	return out, nil
}

// putEmployee creates or updates the employee when anything differs,
// retrying a bounded number of times if a local edit races it; ok is
// false when the store refused the employee as invalid (skipped).
func (w *Worker) putEmployee(ctx context.Context, ch api.RosterChange) (emp storage.Employee, ok bool, err error) {
	want := storage.Employee{NIP: ch.NIP, Name: ch.Employee.Name, Unit: ch.Employee.Unit, Status: storage.EmployeeStatus(ch.Employee.Status)}
	if want.Status == "" {
		want.Status = storage.StatusActive
	}
	for range 3 {
		cur, err := w.store.Employee(ctx, ch.NIP)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			want.Version = 0
		case err != nil:
			return want, false, fmt.Errorf("read employee %s: %w: %w", ch.NIP, errStorage, err)
		case cur.Name == want.Name && cur.Unit == want.Unit && cur.Status == want.Status:
			return cur, true, nil
		default:
			want.Version = cur.Version
		}
		got, err := w.store.PutEmployee(ctx, want)
		if errors.Is(err, storage.ErrConflict) {
			continue
		}
		if errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrInvalidNIP) {
			w.opts.Logger.Warn("sync: skipping invalid employee from the roster", "nip", ch.NIP, "err", err)
			return want, false, nil
		}
		if err != nil {
			return want, false, fmt.Errorf("save employee %s: %w: %w", ch.NIP, errStorage, err)
		}
		return got, true, nil
	}
	return want, false, fmt.Errorf("save employee %s: %w: %w", ch.NIP, errStorage, storage.ErrConflict)
}

// putTemplates replaces the employee's templates unless they already
// equal want (so re-applied changes write and audit nothing).
func (w *Worker) putTemplates(ctx context.Context, emp storage.Employee, want []storage.Template) error {
	cur, err := w.store.Templates(ctx, emp.NIP)
	if err != nil {
		return fmt.Errorf("read templates of %s: %w: %w", emp.NIP, errStorage, err)
	}
	if sameTemplates(cur, want) {
		return nil
	}
	if len(want) == 0 {
		// No API deletes all templates but erasure; recreate the record.
		if _, err := w.store.EraseEmployee(ctx, emp.NIP); err != nil {
			return fmt.Errorf("clear templates of %s: %w: %w", emp.NIP, errStorage, err)
		}
		emp.Version = 0
		if _, err := w.store.PutEmployee(ctx, emp); err != nil {
			return fmt.Errorf("save employee %s: %w: %w", emp.NIP, errStorage, err)
		}
		return nil
	}
	_, err = w.store.ReplaceTemplates(ctx, emp.NIP, want)
	if errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrDuplicate) {
		w.opts.Logger.Warn("sync: skipping templates the store refused", "nip", emp.NIP, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("replace templates of %s: %w: %w", emp.NIP, errStorage, err)
	}
	return nil
}

func sameTemplates(a, b []storage.Template) bool {
	if len(a) != len(b) {
		return false
	}
	byID := make(map[string]storage.Template, len(a))
	for _, t := range a {
		byID[t.ID] = t
	}
	for _, t := range b {
		o, ok := byID[t.ID]
		if !ok || o.Descriptor != t.Descriptor || o.Quality != t.Quality || !o.TakenAt.Equal(t.TakenAt) || o.Adapted != t.Adapted {
			return false
		}
	}
	return true
}
