package app

import (
	"context"
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// enrollFiles enrolls a person from image files with the real engine, the
// way the wizard saves (template, photo).
func enrollFiles(t *testing.T, env *kioskEnv, eng *recognition.Engine, nip, name, unit string, files ...string) {
	t.Helper()
	var samples []kiosk.Sample
	for _, f := range files {
		img := loadImage(t, f)
		faces, err := eng.DetectImage(context.Background(), img)
		if err != nil || len(faces) != 1 {
			t.Fatalf("%s: %d faces, %v", f, len(faces), err)
		}
		s := kiosk.Sample{Face: faces[0]}
		if len(samples) == 0 {
			s.Photo, _ = kiosk.FacePhoto(img, faces[0].Box)
		}
		samples = append(samples, s)
	}
	e := kiosk.Enrollment{Employee: storage.Employee{NIP: nip, Name: name, Unit: unit}, Samples: samples}
	if _, err := env.k.ops.Enroll(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func loadImage(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := decodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestCheckinScreenWithRealPipeline runs the kiosk on a video-file camera
// with the real engine and pipeline. The camera is plugged in once the
// people are enrolled and the clock reads 07:35, and the video is played
// frame by frame in step with the UI (lockstepFrames), so what the test
// sees does not depend on the machine's load. An enrolled person gets the result
// card (name, NIP, unit, "Masuk", time, lateness) and the success sound,
// the event is stored and counted as waiting to sync; a stranger gets the
// "not recognised" card and the failure sound. It also measures the
// preview's frame rate while recognition runs (logged, not asserted).
func TestCheckinScreenWithRealPipeline(t *testing.T) {
	eng := testEngine(t)
	// Nobody, then ORL s5 (enrolled), nobody, ORL s2 (never enrolled),
	// at 30 fps so the preview has frames to keep up with.
	parts := []testutil.Clip{{Seconds: 1.5}}
	for _, n := range []int{8, 9, 10} {
		parts = append(parts, testutil.Clip{Image: orl(t, 5, n), Seconds: 1, Height: 336})
	}
	parts = append(parts, testutil.Clip{Seconds: 2.5})
	for _, n := range []int{1, 3, 5} {
		parts = append(parts, testutil.Clip{Image: orl(t, 2, n), Seconds: 1, Height: 336})
	}
	parts = append(parts, testutil.Clip{Seconds: 2.5})
	video := testutil.Video(t, parts, 30)
	start := time.Now()
	env := newEnv(t, envOptions{det: eng, tune: func(o *checkin.Options) { o.Liveness = checkin.LivenessOff }})
	k := env.k
	enrollFiles(t, env, eng, "198203042008011005", "Agus Prasetyo", "BKPSDM", orl(t, 5, 1), orl(t, 5, 2), orl(t, 5, 3), orl(t, 5, 4))
	enrollFiles(t, env, eng, "197912052005022001", "Maya Sari", "Dinas Pendidikan", orl(t, 7, 1), orl(t, 7, 2), orl(t, 7, 3))
	env.clock.Add(10 * time.Minute) // 07:35 on a Monday: 5 minutes late
	k.openCamera(video)             // frames flow from here, the pipeline rebuilt with the new people
	env.q.until(t, 20*time.Second, "the camera", func() bool { return k.cam.live() })

	shown0, steps0, t0 := k.preview.shown.Load(), k.steps.Load(), time.Now()
	env.q.until(t, 30*time.Second, "the result card", func() bool {
		return k.checkin.cardVisible() && k.checkin.cardKind == checkin.StateRecorded
	})
	c := k.checkin.card
	if c.name.Text != "Agus Prasetyo" || c.unit.Text != "BKPSDM" || c.title.Text != "MASUK" {
		t.Errorf("card: %q %q %q", c.name.Text, c.unit.Text, c.title.Text)
	}
	if c.when.Text != "07:35" || c.verdict.Text != "Terlambat 5 menit TL1" {
		t.Errorf("card time %q, verdict %q", c.when.Text, c.verdict.Text)
	}
	if !c.photo.Visible() {
		t.Error("no enrollment photo on the card")
	}
	evs, _ := k.svc.Store.RecentEvents(context.Background(), time.Time{}, 0)
	if len(evs) != 1 || evs[0].NIP != "198203042008011005" || evs[0].Kind != storage.KindIn {
		t.Fatalf("events: %+v", evs)
	}
	k.refreshStatus()
	if got := k.checkin.status.pending.Text; got != "Menunggu sinkron: 1" {
		t.Errorf("status bar: %q", got)
	}
	// The card goes after 3 s.
	env.clock.Add(cardTime)
	k.tick()
	if k.checkin.cardVisible() {
		t.Error("card still up after 3 s")
	}
	env.q.until(t, 40*time.Second, "the stranger's card", func() bool {
		return k.checkin.cardVisible() && k.checkin.cardKind == checkin.StateUnknown
	})
	frames, secs := k.preview.shown.Load()-shown0, time.Since(t0).Seconds()
	t.Logf("preview: %d frames in %.1f s = %.1f fps while the pipeline examined %.1f frames/s (video 30 fps)",
		frames, secs, float64(frames)/secs, float64(k.steps.Load()-steps0)/secs)
	if k.checkin.card.title.Text != tr("state.unknown") {
		t.Errorf("stranger card title %q", k.checkin.card.title.Text)
	}
	env.sound.mu.Lock()
	cues := append([]string(nil), env.sound.cues...)
	env.sound.mu.Unlock()
	if len(cues) < 2 || cues[0] != kiosk.SoundSuccess || cues[len(cues)-1] != kiosk.SoundFailure {
		t.Errorf("sounds %v", cues)
	}
	if evs, _ := k.svc.Store.RecentEvents(context.Background(), time.Time{}, 0); len(evs) != 1 {
		t.Errorf("the stranger was recorded: %d events", len(evs))
	}
	t.Logf("check-in test: %s", time.Since(start).Round(time.Millisecond))
}

// TestFallbackNIPAndPIN records a manual check-in through the keypad form.
func TestFallbackNIPAndPIN(t *testing.T) {
	env := newEnv(t, envOptions{camera: testutil.Video(t, []testutil.Clip{{Seconds: 1}}, 10)})
	k := env.k
	env.q.until(t, 20*time.Second, "the camera", func() bool { return k.cam.live() })
	st := k.svc.Store
	ctx := context.Background()
	if _, err := st.PutEmployee(ctx, storage.Employee{NIP: "198501012010011001", Name: "Dewi Lestari", Unit: "Inspektorat"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetEmployeePIN(ctx, "198501012010011001", "2468"); err != nil {
		t.Fatal(err)
	}
	k.checkin.show(checkin.State{Kind: checkin.StateFallback, Reason: "unknown", Attempts: 3}, nil)
	tapText(t, env.w.Content(), tr("fallback.open"))
	f := k.checkin.form
	for _, d := range "198501012010011001" + "2460" {
		tapText(t, f.root, string(d))
	}
	if f.nip.Text != "198501012010011001" || f.pin.Text != "2460" {
		t.Fatalf("keypad typed %q / %q", f.nip.Text, f.pin.Text)
	}
	test.Tap(f.ok)
	env.q.until(t, 10*time.Second, "the PIN check", func() bool { return !f.busy })
	if f.msg.Text != tr("fallback.wrong_pin") {
		t.Fatalf("wrong PIN: %q", f.msg.Text)
	}
	f.pin.SetText("2468")
	test.Tap(f.ok)
	env.q.until(t, 10*time.Second, "the manual check-in", func() bool { return !f.busy })
	if f.root.Visible() || !k.checkin.cardVisible() || k.checkin.card.title.Text != "MANUAL" ||
		k.checkin.card.verdict.Text != tr("card.pending_approval") {
		t.Fatalf("manual: form %v card %q %q %q", f.root.Visible(), k.checkin.card.title.Text, k.checkin.card.verdict.Text, f.msg.Text)
	}
	evs, _ := st.RecentEvents(ctx, time.Time{}, 0)
	if len(evs) != 1 || evs[0].Kind != storage.KindManual || evs[0].PhotoID == "" {
		t.Fatalf("events %+v", evs)
	}
}

// TestNoCameraScreen: without a webcam the kiosk explains it, but the
// public screen offers no source chooser and no live test (whoever stands
// at the kiosk must not point it at a video file or probe a URL): only a
// way into operator mode. On a brand-new kiosk that creates the first
// admin, who then chooses, tests and saves the source in the settings.
func TestNoCameraScreen(t *testing.T) {
	env := newEnv(t, envOptions{})
	k := env.k
	env.q.until(t, 10*time.Second, "the no-camera screen", func() bool {
		return k.checkin.noCam.title.Text == tr("camera.none")
	})
	if k.checkin.stage.Objects[0] != k.checkin.noCam.root {
		t.Fatal("preview shown without a camera")
	}
	for _, label := range []string{tr("camera.test"), tr("camera.use")} {
		if findButton(env.w.Content(), label) != nil {
			t.Errorf("the public no-camera screen offers %q", label)
		}
	}
	tapText(t, env.w.Content(), tr("camera.configure"))
	if k.mode != modeLogin {
		t.Fatalf("setting up the camera did not ask for the PIN (mode %s)", k.mode)
	}
	env.loginAdminForm(t) // a brand-new kiosk: the first admin comes first
	if k.mode != modeOperator || k.operator.current() != tabSettings {
		t.Fatalf("after logging in: mode %s", k.mode)
	}
	cam := k.operator.tab(tabSettings).(*settingsTab).cam
	video := testutil.Video(t, []testutil.Clip{{Seconds: 1}}, 10)
	cam.spec.SetText(video)
	tapText(t, env.w.Content(), tr("camera.test"))
	env.q.until(t, 20*time.Second, "the live test", func() bool { return !cam.busy })
	if !cam.snap.Visible() {
		t.Fatalf("live test: %q", cam.result.Text)
	}
	tapText(t, env.w.Content(), tr("camera.use"))
	env.settle(t)
	if v, _ := k.svc.Store.Setting(context.Background(), kiosk.SettingCamera); v != video {
		t.Fatalf("camera setting %q", v)
	}
	k.lock(kiosk.LogoutByOperator)
	env.q.until(t, 20*time.Second, "the preview", func() bool {
		return k.cam.live() && k.checkin.stage.Objects[0] == k.preview.root && k.preview.shown.Load() > 0
	})
}
