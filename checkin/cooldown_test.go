package checkin

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/storage"
)

// The same person coming back within the cooldown is told when they were
// recorded; no second event.
func TestCooldownAlreadyRecorded(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	k.opts.Liveness = LivenessOff
	clips := orlClips(t, 5, 0.7, 4, 5)
	clips = append(clips, testutil.Clip{Seconds: 2.2})
	clips = append(clips, orlClips(t, 5, 0.7, 6, 7)...)
	states := k.play(t, k.pipeline(t), testutil.Video(t, clips, 5))
	count, seq := kinds(states)
	if evs := k.events(t); len(evs) != 1 {
		t.Fatalf("%d events, want 1 (states %v)", len(evs), seq)
	}
	if count[StateAlreadyRecorded] == 0 || count[StateIdle] == 0 {
		t.Fatalf("states %v: want recorded, idle, already_recorded", seq)
	}
	var rec, again State
	for _, s := range states {
		switch {
		case s.Kind == StateRecorded && rec.Kind == "":
			rec = s
		case s.Kind == StateAlreadyRecorded && again.Kind == "":
			again = s
		}
	}
	if !again.Result.Previous.Equal(rec.Result.Time) || again.Person == nil || again.Person.NIP != fixture.NIP(5) {
		t.Errorf("already_recorded %+v: want previous %v and the person", again.Result, rec.Result.Time)
	}
}

// After MaxAttempts failures the kiosk offers the fallback; NIP + PIN
// records a manual event with the photo; wrong PINs lock the NIP.
func TestFallbackAndManual(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	k.opts.Liveness = LivenessOff
	k.opts.RetryAfter = 200 * time.Millisecond
	k.clock.Add(time.Hour)
	ctx := context.Background()
	if err := k.store.SetEmployeePIN(ctx, fixture.NIP(5), "246810"); err != nil {
		t.Fatal(err)
	}
	p := k.pipeline(t)
	states := k.play(t, p, testutil.Video(t, orlClips(t, 33, 0.6, 1, 2, 3, 4, 5), 10))
	if count, seq := kinds(states); count[StateFallback] == 0 {
		t.Fatalf("states %v: want fallback after %d unknown", seq, k.opts.MaxAttempts)
	}

	for i := range k.opts.PINAttempts {
		if _, err := p.Manual(ctx, fixture.NIP(5), "000000", nil); !errors.Is(err, storage.ErrBadCredentials) {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	if _, err := p.Manual(ctx, fixture.NIP(5), "246810", nil); !errors.Is(err, ErrPINLocked) {
		t.Fatalf("right PIN while locked: %v, want ErrPINLocked", err)
	}
	k.clock.Add(k.opts.PINLockout)
	photo := []byte("\xff\xd8\xff\xe0 not decoded by the store")
	st, err := p.Manual(ctx, fixture.NIP(5), "246810", photo)
	if err != nil || st.Kind != StateRecorded || st.Result.Kind != "manual" {
		t.Fatalf("manual: %+v, %v", st, err)
	}
	evs := k.events(t)
	if len(evs) != 1 || evs[0].Kind != storage.KindManual || evs[0].PhotoID == "" || evs[0].Note == "" {
		t.Fatalf("events %+v: want one manual event with photo and note", evs)
	}
	if st, err := p.Manual(ctx, fixture.NIP(5), "246810", nil); err != nil || st.Kind != StateAlreadyRecorded {
		t.Fatalf("second manual within the cooldown: %+v, %v", st, err)
	}
}

// A full disk is reported as storage_full, nothing is half-written.
func TestStorageFullIsReported(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	if err := k.store.Close(); err != nil {
		t.Fatal(err)
	}
	so := storage.DefaultOptions()
	so.Key, so.DeviceID = bytes.Repeat([]byte{7}, storage.KeySize), "KIOSK-TEST"
	fi, err := os.Stat(filepath.Join(k.dir, storage.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	so.MaxSize = int(fi.Size())
	st, err := storage.Open(k.dir, so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	k.store = st
	k.opts.Liveness = LivenessOff
	states := k.play(t, k.pipeline(t), testutil.Video(t, orlClips(t, 5, 0.6, 4, 5, 6), 5))
	var full bool
	for _, s := range states {
		if s.Kind == StateError && s.Reason == "storage_full" && errors.Is(s.Err, storage.ErrStorageFull) {
			full = true
		}
	}
	if _, seq := kinds(states); !full {
		t.Fatalf("states %v: want error storage_full", seq)
	}
	if evs := k.events(t); len(evs) != 0 {
		t.Fatalf("events %v written to a full store", evs)
	}
}
