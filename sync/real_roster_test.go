package sync

import (
	"context"
	"errors"
	"testing"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// nearFace is fixture.Face(n) moved by about dist.
func nearFace(n int, dist float32) [storage.DescriptorLen]float32 {
	d, o := fixture.Face(n), fixture.Face(n+1000)
	for i := range d {
		d[i] += o[i] * dist
	}
	return d
}

// enrollLocal enrolls an employee on a kiosk store as an operator would.
func enrollLocal(t *testing.T, s *storage.Store, nipStr, name, status string, faces ...[storage.DescriptorLen]float32) {
	t.Helper()
	ctx := storage.WithActor(context.Background(), "operator")
	e := storage.Employee{NIP: nipStr, Name: name, Unit: "DINKES", Status: storage.EmployeeStatus(status)}
	if cur, err := s.Employee(ctx, nipStr); err == nil {
		e.Version = cur.Version
	}
	if _, err := s.PutEmployee(ctx, e); err != nil {
		t.Fatal(err)
	}
	ts := make([]storage.Template, len(faces))
	for i, f := range faces {
		ts[i] = storage.Template{Descriptor: f, Quality: storage.TemplateQuality{FaceWidth: 140, Sharpness: 35, Brightness: 120}}
	}
	if _, err := s.ReplaceTemplates(ctx, nipStr, ts); err != nil {
		t.Fatal(err)
	}
}

// kioskPair starts hadir-server and registers two kiosks on it: B, where
// people enroll, and A, which has a live gallery. tuneA adjusts A's
// options.
func kioskPair(t *testing.T, tuneA func(*Options)) (srv *realServer, sb *storage.Store, wb *Worker, sa *storage.Store, ga *recognition.Gallery, wa *Worker) {
	t.Helper()
	srv = startServer(t)
	sb = openStore(t, t.TempDir())
	wb = newWorker(t, sb, nil, testOptions(t, srv.url))
	registerKiosk(t, wb, srv, srv.url)
	sa = openStore(t, t.TempDir())
	ga = recognition.NewGallery()
	oa := testOptions(t, srv.url)
	if tuneA != nil {
		tuneA(&oa)
	}
	wa = newWorker(t, sa, ga, oa)
	registerKiosk(t, wa, srv, srv.url)
	return srv, sb, wb, sa, ga, wa
}

// Enrollments pushed by kiosk B reach kiosk A's store and live gallery
// (a real recognition.Gallery); a re-enrollment replaces templates, an
// inactive employee leaves the gallery, a deletion on the server erases
// the employee on A; a face already enrolled under another NIP is
// refused with the conflict.
func TestRealRosterAndEnrollments(t *testing.T) {
	// A server process of its own; waits more than it computes.
	t.Parallel()
	srv, sb, wb, sa, ga, wa := kioskPair(t, func(o *Options) { o.RosterPageSize = 2 }) // several pages
	ctx := context.Background()

	for i := 1; i <= 5; i++ {
		enrollLocal(t, sb, nip(i), "Pegawai", "active", fixture.Face(i), nearFace(i, 0.1))
		if err := wb.PushEnrollment(ctx, nip(i)); err != nil {
			t.Fatalf("push enrollment %d: %v", i, err)
		}
	}
	if err := wa.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if !ga.Has(nip(i)) {
			t.Errorf("%s not in A's gallery", nip(i))
		}
		if ts, _ := sa.Templates(ctx, nip(i)); len(ts) != 2 {
			t.Errorf("%s: %d templates on A", nip(i), len(ts))
		}
	}
	if m := ga.Search(recognition.Descriptor(fixture.Face(3))); m.ID != nip(3) || m.Distance > 1e-6 {
		t.Errorf("search face 3 = %+v", m)
	}

	// Changes on the server side.
	enrollLocal(t, sb, nip(2), "Pegawai Dua", "active", fixture.Face(20)) // re-enrolled with a new face
	if err := wb.PushEnrollment(ctx, nip(2)); err != nil {
		t.Fatal(err)
	}
	enrollLocal(t, sb, nip(4), "Pegawai", "inactive", fixture.Face(4))
	if err := wb.PushEnrollment(ctx, nip(4)); err != nil {
		t.Fatal(err)
	}
	srv.cli("", "employee", "delete", nip(1))
	revBefore := wa.Status().Revision
	if err := wa.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if wa.Status().Revision <= revBefore {
		t.Errorf("revision did not advance: %d", wa.Status().Revision)
	}
	if _, err := sa.Employee(ctx, nip(1)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted employee still on A: %v", err)
	}
	if ts, _ := sa.Templates(ctx, nip(1)); len(ts) != 0 || ga.Has(nip(1)) {
		t.Errorf("deleted employee keeps %d templates / gallery entry", len(ts))
	}
	if m := ga.Search(recognition.Descriptor(fixture.Face(20))); m.ID != nip(2) || m.Distance > 1e-6 {
		t.Errorf("re-enrolled face not live on A: %+v", m)
	}
	if m := ga.Search(recognition.Descriptor(fixture.Face(2))); m.ID == nip(2) && m.Distance < 0.42 {
		t.Errorf("old template of %s still matches: %+v", nip(2), m)
	}
	if e, _ := sa.Employee(ctx, nip(2)); e.Name != "Pegawai Dua" {
		t.Errorf("name not updated: %+v", e)
	}
	if ga.Has(nip(4)) {
		t.Error("inactive employee still in the gallery")
	}
	if e, _ := sa.Employee(ctx, nip(4)); e.Status != storage.StatusInactive {
		t.Errorf("status not updated: %+v", e)
	}
	log, _ := sa.AuditLog(ctx, 0, 1000)
	erased := false
	for _, a := range log {
		if a.Action == storage.ActionErase && a.Subject == nip(1) && a.Actor == Actor {
			erased = true
		}
	}
	if !erased {
		t.Error("roster erasure not audited under the sync actor")
	}

	// Duplicate face under another NIP: refused, nothing stored.
	enrollLocal(t, sb, nip(9), "Orang Lain", "active", nearFace(3, 0.05))
	err := wb.PushEnrollment(ctx, nip(9))
	var dup *DuplicateFaceError
	if !errors.As(err, &dup) {
		t.Fatalf("push duplicate face = %v, want *DuplicateFaceError", err)
	}
	if dup.ConflictNIP != nip(3) || dup.ConflictName == "" || dup.Distance >= 0.42 || dup.NIP != nip(9) {
		t.Errorf("conflict %+v", dup)
	}
	if q, _ := wb.PendingEnrollments(ctx); len(q) != 0 {
		t.Errorf("a refused enrollment was queued: %v", q)
	}
	if err := wa.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.Employee(ctx, nip(9)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("refused enrollment reached A: %v", err)
	}
}

// TLS with the regency's own CA: the real server serves HTTPS with a
// certificate signed by a CA generated here; the kiosk trusts it only
// through Options.CAFile.
func TestRealCustomCATLS(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	ca := newTestCA(t)
	srv := startServer(t, "--tls-cert", ca.certPEM, "--tls-key", ca.keyPEM)
	if srv.url[:8] != "https://" {
		t.Fatalf("server URL %s is not HTTPS", srv.url)
	}
	s1 := openStore(t, t.TempDir())
	w1 := newWorker(t, s1, nil, testOptions(t, srv.url))
	if err := w1.Register(context.Background(), "", srv.code(), "Lobby"); !errors.Is(err, ErrOffline) {
		t.Fatalf("register without the CA = %v, want ErrOffline (unknown authority)", err)
	}
	s2 := openStore(t, t.TempDir())
	o := testOptions(t, srv.url)
	o.CAFile = ca.pemFile
	w2 := newWorker(t, s2, nil, o)
	registerKiosk(t, w2, srv, srv.url)
	recordEvents(t, s2, 250)
	if err := w2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkSets(t, kioskIDs(t, s2), srv.eventIDs(), outboxLen(t, s2))
}
