package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestPurgeRetention(t *testing.T) {
	for _, batch := range []int{1000, 2} {
		s, c, _ := openTest(t)
		s.opts.PurgeBatch = batch
		ctx := WithActor(context.Background(), "system")
		day := 24 * time.Hour
		var old []Event
		for i := 0; i < 6; i++ {
			e, err := s.RecordEvent(ctx, sampleEvent(i, c.Now()), fakeJPEG(2000+i))
			if err != nil {
				t.Fatal(err)
			}
			old = append(old, e)
		}
		// 0-2 synced, 3 rejected, 4-5 pending.
		if err := s.MarkSynced(ctx, old[0].ID, old[1].ID, old[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRejected(ctx, old[3].ID, "duplicate on server"); err != nil {
			t.Fatal(err)
		}
		c.Add(20 * day)
		recent, err := s.RecordEvent(ctx, sampleEvent(9, c.Now()), fakeJPEG(3000))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSynced(ctx, recent.ID); err != nil {
			t.Fatal(err)
		}

		c.Add(11 * day) // old photos are 31 days old, the recent one 11
		rep, err := s.Purge(ctx)
		if err != nil || rep != (PurgeReport{Photos: 6}) {
			t.Fatalf("batch %d: Purge at day 31 = %+v, %v; want 6 photos", batch, rep, err)
		}
		for _, e := range old {
			if _, err := s.Photo(ctx, e.PhotoID); !errors.Is(err, ErrNotFound) {
				t.Fatalf("photo of %s after 31 days: %v", e.ID, err)
			}
			if _, err := s.Event(ctx, e.ID); err != nil {
				t.Fatalf("event %s purged too early: %v", e.ID, err)
			}
		}
		if _, err := s.Photo(ctx, recent.PhotoID); err != nil {
			t.Fatalf("recent photo purged: %v", err)
		}

		c.Add(60 * day) // old events are 91 days old
		rep, err = s.Purge(ctx)
		if err != nil || rep != (PurgeReport{Photos: 1, Events: 3}) {
			t.Fatalf("batch %d: Purge at day 91 = %+v, %v; want 1 photo, 3 events", batch, rep, err)
		}
		for i, e := range old {
			_, err := s.Event(ctx, e.ID)
			if purged := i < 3; purged != errors.Is(err, ErrNotFound) {
				t.Fatalf("event %d (sync %v): err %v, purged should be %v", i, e.Sync, err, purged)
			}
		}
		if _, err := s.Event(ctx, recent.ID); err != nil {
			t.Fatalf("synced event younger than 90 days purged: %v", err)
		}
		idle := readFile(t, s.Path())
		if rep, err := s.Purge(ctx); err != nil || rep != (PurgeReport{}) {
			t.Fatalf("second Purge = %+v, %v; want nothing", rep, err)
		}
		if !bytes.Equal(idle, readFile(t, s.Path())) {
			t.Fatal("a purge with nothing to do wrote to the file")
		}
		// The chain still verifies through the tombstones and grows on.
		if _, err := s.RecordEvent(ctx, sampleEvent(10, c.Now()), nil); err != nil {
			t.Fatal(err)
		}
		lr, err := s.VerifyLedger(ctx)
		if err != nil || lr.Purged != 3 || lr.Entries != 8 {
			t.Fatalf("VerifyLedger after purge = %+v, %v", lr, err)
		}
		evs, _ := s.Events(ctx, 0, 100)
		if len(evs) != 5 {
			t.Fatalf("Events lists %d, want 5 unpurged", len(evs))
		}
		log, _ := s.AuditLog(ctx, 0, 1000)
		purges := 0
		for _, a := range log {
			if a.Action == ActionPurge && a.Actor == "system" {
				purges++
			}
		}
		if purges == 0 {
			t.Fatal("purge not audited")
		}
	}
}

func TestRunPurgesUntilCanceled(t *testing.T) {
	s, c, _ := openTest(t)
	s.opts.PurgeInterval = time.Millisecond
	ctx := context.Background()
	e, err := s.RecordEvent(ctx, sampleEvent(1, c.Now()), fakeJPEG(500))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(40 * 24 * time.Hour)

	runCtx, cancel := context.WithCancel(ctx)
	reports := make(chan PurgeReport, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.Run(runCtx, func(r PurgeReport, err error) {
			if err == nil {
				select {
				case reports <- r:
				default:
				}
			}
		})
	}()
	deadline := time.After(10 * time.Second)
	purged := 0
	for purged == 0 {
		select {
		case r := <-reports:
			purged += r.Photos
		case <-deadline:
			cancel()
			t.Fatal("Run did not purge within 10 s")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	if _, err := s.Photo(ctx, e.PhotoID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("photo after Run: %v", err)
	}
	// Run on a closed store stops with ErrClosed.
	s.Close()
	if err := s.Run(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Run on closed store: %v", err)
	}
}
