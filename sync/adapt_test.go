package sync

import (
	"context"
	"errors"
	"testing"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/storage"
)

func countAdapted(t *testing.T, s *storage.Store, nipStr string) (enrolled, adapted int) {
	t.Helper()
	ts, err := s.Templates(context.Background(), nipStr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range ts {
		if tp.Adapted {
			adapted++
		} else {
			enrolled++
		}
	}
	return enrolled, adapted
}

// Templates a kiosk learnt (template adaptation) reach the server like an
// enrollment and come back with the roster still marked adapted: another
// kiosk gets them, and the learning kiosk's own pull neither drops nor
// duplicates them. The server refuses an adapted template far from every
// enrolled one, and its erasure order removes the adapted ones.
func TestAdaptedTemplatesSyncLikeAnEnrollment(t *testing.T) {
	t.Parallel() // a server process of its own; waits more than it computes
	srv, sb, wb, sa, ga, wa := kioskPair(t, nil)
	ctx := context.Background()

	enrollLocal(t, sb, nip(1), "Pegawai", "active", fixture.Face(1))
	if err := wb.PushEnrollment(ctx, nip(1)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []float32{0.15, 0.2} {
		if _, err := sb.AdaptTemplate(ctx, nip(1), storage.Template{Descriptor: nearFace(1, d)}, 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.QueueEnrollment(ctx, nip(1)); err != nil {
		t.Fatal(err)
	}
	if q, _ := wb.PendingEnrollments(ctx); len(q) != 1 {
		t.Fatalf("queue %v, want the adapted person", q)
	}
	for _, w := range []*Worker{wb, wa, wb} {
		if err := w.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range map[string]*storage.Store{"learning kiosk": sb, "other kiosk": sa} {
		if e, a := countAdapted(t, s, nip(1)); e != 1 || a != 2 {
			t.Errorf("%s: %d enrolled, %d adapted templates; want 1 and 2", name, e, a)
		}
	}
	if _, n := ga.Len(); n != 3 {
		t.Errorf("other kiosk's gallery has %d templates, want 3", n)
	}

	// An adapted template that is someone else's face entirely.
	if _, err := sb.ReplaceTemplates(ctx, nip(1), []storage.Template{{Descriptor: fixture.Face(1)}, {Descriptor: fixture.Face(77), Adapted: true}}); err != nil {
		t.Fatal(err)
	}
	err := wb.PushEnrollment(ctx, nip(1))
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("push of a far adapted template = %v, want the server's refusal", err)
	}

	// Erasure ordered by the server removes the adapted templates too.
	srv.cli("", "employee", "delete", nip(1))
	if err := wb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if e, a := countAdapted(t, sb, nip(1)); e != 0 || a != 0 {
		t.Errorf("after the server's erasure: %d enrolled, %d adapted templates left", e, a)
	}
}
