package sync

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

func change(n int, name, status string, seeds ...float32) api.RosterChange {
	c := api.RosterChange{NIP: nip(n), Employee: &api.Employee{NIP: nip(n), Name: name, Unit: "DINKES", Status: status}}
	for i, s := range seeds {
		c.Templates = append(c.Templates, api.Template{ID: "T" + nip(n) + string(rune('a'+i)), Descriptor: api.EncodeDescriptor(ptr(descriptor(s))),
			Quality: api.Quality{FaceWidth: 120, Sharpness: 40}, TakenAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
	}
	return c
}

func TestRosterPullAppliesToStoreAndGallery(t *testing.T) {
	fs := registered(t, func(o *Options) { o.RosterPageSize = 2 })
	ctx := context.Background()
	// A local employee the server will erase, with a template.
	if _, err := fs.s.PutEmployee(ctx, storage.Employee{NIP: nip(9), Name: "Lokal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.s.AddTemplates(ctx, nip(9), []storage.Template{{Descriptor: descriptor(9)}}); err != nil {
		t.Fatal(err)
	}
	fs.g.Set(nip(9), []recognition.Descriptor{recognition.Descriptor(descriptor(9))})
	for _, c := range []api.RosterChange{
		change(1, "Ani", "active", 1, 1.5),
		change(2, "Budi", "active", 2),
		change(3, "Citra", "active", 3),
		{NIP: nip(9), Deleted: true},
		change(2, "Budi Santoso", "active", 2.5), // renamed, re-enrolled
		change(3, "Citra", "inactive", 3),        // left the unit
		{NIP: "12345", Deleted: true},            // unusable: skipped
		{NIP: nip(4), Employee: &api.Employee{NIP: nip(4), Name: "X"}, Templates: []api.Template{{ID: "bad", Descriptor: "AAAA"}}},
	} {
		fs.f.addChange(c)
	}
	if err := fs.w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := fs.w.Status(); st.Revision != 8 {
		t.Errorf("revision %d, want 8", st.Revision)
	}
	cases := []struct {
		nip      string
		name     string
		status   storage.EmployeeStatus
		seeds    []float32
		inGallry bool
	}{
		{nip(1), "Ani", storage.StatusActive, []float32{1, 1.5}, true},
		{nip(2), "Budi Santoso", storage.StatusActive, []float32{2.5}, true},
		{nip(3), "Citra", storage.StatusInactive, []float32{3}, false},
	}
	for _, tc := range cases {
		e, err := fs.s.Employee(ctx, tc.nip)
		if err != nil || e.Name != tc.name || e.Status != tc.status {
			t.Errorf("%s: employee %+v %v", tc.nip, e, err)
		}
		ts, _ := fs.s.Templates(ctx, tc.nip)
		if len(ts) != len(tc.seeds) {
			t.Errorf("%s: %d templates, want %d", tc.nip, len(ts), len(tc.seeds))
		}
		for i, tpl := range ts {
			if tpl.Descriptor != descriptor(tc.seeds[i]) {
				t.Errorf("%s: template %d descriptor differs", tc.nip, i)
			}
		}
		g, ok := fs.g.get(tc.nip)
		if ok != tc.inGallry || (ok && len(g) != len(tc.seeds)) {
			t.Errorf("%s: in gallery %v with %d templates", tc.nip, ok, len(g))
		}
	}
	if _, err := fs.s.Employee(ctx, nip(9)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("erased employee still there: %v", err)
	}
	if ts, _ := fs.s.Templates(ctx, nip(9)); len(ts) != 0 {
		t.Errorf("erased employee keeps %d templates", len(ts))
	}
	if _, ok := fs.g.get(nip(9)); ok {
		t.Error("erased employee still in the gallery")
	}
	if _, err := fs.s.Employee(ctx, nip(4)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unusable change applied: %v", err)
	}
	// Re-applying the latest changes (a crash before the revision was
	// saved) writes nothing: no audit entries but the revision setting.
	log1, _ := fs.s.AuditLog(ctx, 0, 10000)
	if err := fs.s.SetSetting(storage.WithActor(ctx, "test"), settingRev, "4"); err != nil {
		t.Fatal(err)
	}
	w2 := newWorker(t, fs.s, fs.g, testOptions(t, fs.f.srv.URL))
	if err := w2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	log2, _ := fs.s.AuditLog(ctx, 0, 10000)
	for _, a := range log2[len(log1):] {
		if a.Action != storage.ActionSetting {
			t.Errorf("re-applied roster wrote %+v", a)
		}
	}
}

func TestEnrollmentConflictAndOfflineQueue(t *testing.T) {
	fs := registered(t)
	ctx := context.Background()
	enroll := func(n int, seed float32) {
		t.Helper()
		if _, err := fs.s.PutEmployee(ctx, storage.Employee{NIP: nip(n), Name: "P" + nip(n), Unit: "DINKES"}); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.s.AddTemplates(ctx, nip(n), []storage.Template{{Descriptor: descriptor(seed)}}); err != nil {
			t.Fatal(err)
		}
	}
	enroll(1, 1)
	if err := fs.w.PushEnrollment(ctx, nip(1)); err != nil {
		t.Fatal(err)
	}
	enroll(2, 1.01) // same face, other NIP
	err := fs.w.PushEnrollment(ctx, nip(2))
	var dup *DuplicateFaceError
	if !errors.As(err, &dup) || !errors.Is(err, ErrDuplicateFace) {
		t.Fatalf("PushEnrollment = %v, want *DuplicateFaceError", err)
	}
	if dup.NIP != nip(2) || dup.ConflictNIP != nip(1) || dup.ConflictName == "" || dup.Distance <= 0 || dup.Distance >= 0.42 {
		t.Errorf("conflict %+v", dup)
	}
	// Offline: queued, sent by the next cycle.
	fs.f.fault = func(w http.ResponseWriter, r *http.Request) bool {
		fs.f.fail(w, http.StatusServiceUnavailable, "unavailable")
		return true
	}
	enroll(3, 5)
	if err := fs.w.PushEnrollment(ctx, nip(3)); !errors.Is(err, ErrServer) {
		t.Fatalf("PushEnrollment while the server fails = %v", err)
	}
	if q, _ := fs.w.PendingEnrollments(ctx); len(q) != 1 || q[0] != nip(3) {
		t.Fatalf("queue %v", q)
	}
	fs.f.fault = nil
	if err := fs.w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if q, _ := fs.w.PendingEnrollments(ctx); len(q) != 0 {
		t.Fatalf("queue after sync %v", q)
	}
	fs.f.mu.Lock()
	_, ok := fs.f.enrolled[nip(3)]
	fs.f.mu.Unlock()
	if !ok {
		t.Error("queued enrollment never reached the server")
	}
}

func ptr[T any](v T) *T { return &v }
