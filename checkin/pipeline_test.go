package checkin

import (
	"testing"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/storage"
)

// An enrolled person walking up: exactly one "in" event, however many
// frames show them, with evidence photo, distance and margin.
func TestEnrolledPersonRecordedOnce(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	k.enroll(t, fixture.NIP(6), "Subject Six", orl(t, 6, 1), orl(t, 6, 2), orl(t, 6, 3))
	k.opts.Liveness = LivenessOff
	video := testutil.Video(t, orlClips(t, 5, 0.6, 4, 5, 6, 7, 8, 9, 10), 5)
	states := k.play(t, k.pipeline(t), video)

	count, seq := kinds(states)
	evs := k.events(t)
	if len(evs) != 1 || evs[0].NIP != fixture.NIP(5) || evs[0].Kind != storage.KindIn {
		t.Fatalf("events %v, want one in for %s; states %v", evs, fixture.NIP(5), seq)
	}
	e := evs[0]
	if e.PhotoID == "" || e.Distance <= 0 || e.Distance > 0.42 || e.Margin < 0.08 || e.Liveness != "off" {
		t.Errorf("event %+v lacks evidence", e)
	}
	if count[StateRecorded] == 0 || count[StateUnknown] != 0 {
		t.Errorf("states %v: want recorded and no unknown", seq)
	}
	for _, s := range states {
		if s.Kind == StateRecorded {
			if s.Person == nil || s.Person.Name != "Subject Five" || s.Result == nil || s.Result.Kind != "in" || s.Result.Late != 0 {
				t.Errorf("recorded state %+v: want Subject Five, in, on time", s)
			}
			break
		}
	}
}

// A stranger (never enrolled) must never be recorded as anyone: people
// from both sets are enrolled, an idol and an ORL subject nobody enrolled
// walk up.
func TestStrangerNotRecorded(t *testing.T) {
	k := newKiosk(t)
	for i := 1; i <= 10; i++ {
		k.enroll(t, fixture.NIP(i), "ORL", orl(t, i, 1), orl(t, i, 2), orl(t, i, 3))
	}
	k.enroll(t, fixture.NIP(20), "Bona", idol(t, "bona", "bona.jpg"), idol(t, "bona", "bona2.jpg"))
	k.enroll(t, fixture.NIP(21), "Jimin", idol(t, "jimin", "jimin.jpg"), idol(t, "jimin", "jimin2.jpg"))
	k.opts.Liveness = LivenessOff
	clips := orlClips(t, 33, 0.5, 1, 2, 3, 4, 5, 6)
	clips = append(clips, testutil.Clip{Image: idol(t, "joy", "joy.jpg"), Seconds: 2},
		testutil.Clip{Image: idol(t, "seulgi", "seulgi.jpg"), Seconds: 2})
	states := k.play(t, k.pipeline(t), testutil.Video(t, clips, 5))
	count, seq := kinds(states)
	if evs := k.events(t); len(evs) != 0 {
		t.Fatalf("a stranger was recorded: %v (states %v)", evs, seq)
	}
	if count[StateUnknown]+count[StateFallback] == 0 {
		t.Errorf("states %v: want unknown", seq)
	}
}

// A still image held up in challenge mode never passes, whatever the
// challenge: no event, and the attempts end in liveness_failed.
func TestStillImageFailsChallenge(t *testing.T) {
	k := newKiosk(t)
	k.enroll(t, fixture.NIP(5), "Subject Five", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3))
	k.opts.Liveness = LivenessChallenge
	next := 0
	k.opts.Rand = func(n int) int { next++; return (next - 1) % n }
	video := testutil.Video(t, orlClips(t, 5, 10, 4), 5) // 50 frames of a still image: 10 s of video time
	states := k.play(t, k.pipeline(t), video)
	count, seq := kinds(states)
	if evs := k.events(t); len(evs) != 0 {
		t.Fatalf("a still image was recorded: %v (states %v)", evs, seq)
	}
	if count[StateLivenessFailed] == 0 || count[StateChallenge] == 0 {
		t.Errorf("states %v: want a challenge that failed", seq)
	}
}

// Blink mode: the same person's open, closed, open eyes (ORL s27 has
// photos with eyes closed) pass; eyes that never close do not.
func TestBlinkMode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		images []int
		want   int
	}{
		{"open-closed-open", []int{4, 4, 9, 4, 4}, 1},
		{"always open", []int{4, 4, 4, 4, 4}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKiosk(t)
			k.enroll(t, fixture.NIP(27), "Subject 27", orl(t, 27, 1), orl(t, 27, 2), orl(t, 27, 3))
			k.opts.Liveness = LivenessBlink
			states := k.play(t, k.pipeline(t), testutil.Video(t, orlClips(t, 27, 0.5, tc.images...), 5))
			_, seq := kinds(states)
			evs := k.events(t)
			if len(evs) != tc.want {
				for _, s := range states {
					if s.Err != nil {
						t.Log(s.Reason, s.Err)
					}
				}
				t.Fatalf("%d events, want %d (states %v)", len(evs), tc.want, seq)
			}
			if tc.want == 1 && (evs[0].Liveness != "blink-ok" || evs[0].NIP != fixture.NIP(27)) {
				t.Errorf("event %+v: want blink-ok for %s", evs[0], fixture.NIP(27))
			}
		})
	}
}

// Two people of similar size in view: nobody is recorded; the kiosk asks
// for one person at a time.
func TestGroupAsksForOnePerson(t *testing.T) {
	k := newKiosk(t)
	k.opts.Liveness = LivenessOff
	video := testutil.Video(t, []testutil.Clip{{Image: idol(t, "_groups", "pristin.jpg"), Seconds: 1.5, Crop: "iw*0.2:ih*0.35:iw*0.13:ih*0.08"}}, 5)
	states := k.play(t, k.pipeline(t), video)
	count, seq := kinds(states)
	if count[StateGuiding] == 0 || len(k.events(t)) != 0 {
		t.Fatalf("states %v: want guiding and no event", seq)
	}
	for _, s := range states {
		if s.Kind == StateGuiding && s.Guidance != GuideOnePerson {
			t.Errorf("guidance %q, want one_person", s.Guidance)
		}
	}
}
