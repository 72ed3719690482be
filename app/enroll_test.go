package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// orlVideo is ORL subject s shown through poses: straight (1, 3, 7, 8),
// turned to the person's left (2, 5, 10) and right (4, 6), 0.7 s each,
// 3x scaled so the face is ~270 px wide, after a second of empty scene.
func orlVideo(t *testing.T, s int) string {
	parts := []testutil.Clip{{Seconds: 1}}
	for _, n := range []int{1, 2, 4, 3, 5, 6, 7, 8, 10} {
		parts = append(parts, testutil.Clip{Image: orl(t, s, n), Seconds: 0.7, Height: 336})
	}
	return testutil.Video(t, parts, 10)
}

// TestEnrollmentWizardEndToEnd enrolls a person from a video-file camera
// with the real face engine, store and check-in pipeline: privacy notice,
// employee form, guided capture of 5 samples with pose variety, duplicate
// check, save (audited), "try it now" (recognised, nothing recorded). A
// second enrollment of the same face under another NIP is blocked with
// both names shown.
func TestEnrollmentWizardEndToEnd(t *testing.T) {
	eng := testEngine(t)
	video := orlVideo(t, 1)
	start := time.Now()
	env := newEnv(t, envOptions{det: eng, camera: video, tune: func(o *checkin.Options) { o.Liveness = checkin.LivenessOff }})
	k, st := env.k, env.k.svc.Store
	env.q.until(t, 20*time.Second, "the camera", func() bool { return k.cam.live() })
	env.loginAdmin(t)
	k.operator.selectTab(tabEnroll)
	w := k.operator.tab(tabEnroll).(*enrollWizard)
	root := env.w.Content()

	// 1. Privacy notice: "next" only once acknowledged.
	if !w.next0.Disabled() {
		t.Fatal("next enabled before the privacy notice was acknowledged")
	}
	test.Tap(w.agree)
	tapText(t, root, tr("common.next"))
	if w.step != stepEmployee {
		t.Fatalf("step %d after the privacy notice", w.step)
	}
	// 2. Employee: a bad NIP is refused with the reason.
	test.Type(w.nip, "12345")
	test.Type(w.name, "Rina Wulandari")
	tapText(t, root, tr("enroll.start_capture"))
	if w.step != stepEmployee || !strings.Contains(w.msg1.Text, "NIP") {
		t.Fatalf("short NIP accepted (step %d, %q)", w.step, w.msg1.Text)
	}
	const nip = "198703122010012003"
	w.nip.SetText("")
	test.Type(w.nip, nip)
	tapText(t, root, tr("enroll.find"))
	if w.found.Text != tr("enroll.new_employee") {
		t.Fatalf("lookup: %q", w.found.Text)
	}
	w.unit.SetText("Dinas Kesehatan")
	test.Type(w.pin, "4321")
	tapText(t, root, tr("enroll.start_capture"))
	if w.step != stepCapture {
		t.Fatalf("capture did not start: %q", w.msg1.Text)
	}
	// 3. Guided capture until 5 good samples.
	var hints = map[string]bool{}
	env.q.until(t, 90*time.Second, "five samples", func() bool {
		hints[w.hint.Text] = true
		return w.step == stepReview
	})
	t.Logf("capture took %s; feedback seen: %q", time.Since(start).Round(time.Millisecond), keys(hints))
	if len(w.samples) != len(kiosk.CapturePlan) {
		t.Fatalf("%d samples", len(w.samples))
	}
	var left, right bool
	for _, s := range w.samples {
		left = left || s.Face.Quality.Yaw >= kiosk.TurnedYaw
		right = right || s.Face.Quality.Yaw <= -kiosk.TurnedYaw
	}
	if !left || !right {
		t.Errorf("no pose variety: left %v right %v", left, right)
	}
	// 4. Duplicate check: nobody else enrolled.
	if w.save.Disabled() {
		t.Fatalf("save blocked: %s", w.reviewMsg.Text)
	}
	// 5. Save.
	tapText(t, root, tr("enroll.save"))
	env.q.until(t, 30*time.Second, "the saved enrollment", func() bool { return w.step == stepDone || !w.save.Disabled() })
	if w.step != stepDone {
		t.Fatalf("not saved: %s", w.reviewMsg.Text)
	}
	emp, err := st.Employee(context.Background(), nip)
	if err != nil || emp.Name != "Rina Wulandari" || emp.Unit != "Dinas Kesehatan" {
		t.Fatalf("employee %+v, %v", emp, err)
	}
	tpls, _ := st.Templates(context.Background(), nip)
	if len(tpls) != 5 || !k.svc.Gallery.Has(nip) {
		t.Fatalf("%d templates stored, in gallery %v", len(tpls), k.svc.Gallery.Has(nip))
	}
	if _, err := st.EnrollPhoto(context.Background(), nip); err != nil {
		t.Errorf("no enrollment photo: %v", err)
	}
	if _, err := st.VerifyEmployeePIN(context.Background(), nip, "4321"); err != nil {
		t.Errorf("fallback PIN not set: %v", err)
	}
	all, _ := kiosk.ReadAudit(context.Background(), st, 1000)
	enrolled := false
	for _, a := range all {
		enrolled = enrolled || (a.Action == storage.ActionEnroll && a.Subject == nip && a.Actor == "Sari")
	}
	if !enrolled {
		t.Error("enrollment not audited under the operator")
	}
	// 6. Try it now: the real pipeline recognises her, nothing is recorded.
	tapText(t, root, tr("enroll.try"))
	env.q.until(t, 60*time.Second, "the trial check-in", func() bool { return w.trialOK })
	if n, _ := st.OutboxLen(context.Background()); n != 0 {
		t.Errorf("trial recorded %d events", n)
	}
	evs, _ := st.RecentEvents(context.Background(), time.Time{}, 0)
	if len(evs) != 0 {
		t.Errorf("trial recorded %d events", len(evs))
	}
	tapText(t, root, tr("enroll.trial.finish"))
	if w.step != stepPrivacy || k.pipe.trial {
		t.Fatalf("finish: step %d trial %v", w.step, k.pipe.trial)
	}

	// The same face under another NIP is blocked, naming both people.
	test.Tap(w.agree)
	tapText(t, root, tr("common.next"))
	w.nip.SetText("199001012015031002")
	w.name.SetText("Budi Santoso")
	tapText(t, root, tr("enroll.start_capture"))
	env.q.until(t, 60*time.Second, "the duplicate warning", func() bool { return w.dupLabel.Text != "" })
	for _, want := range []string{"Rina Wulandari", nip, "Budi Santoso", "199001012015031002"} {
		if !strings.Contains(w.dupLabel.Text, want) {
			t.Errorf("duplicate warning %q lacks %q", w.dupLabel.Text, want)
		}
	}
	if n := len(w.cap.Samples()); n != 0 {
		t.Errorf("%d samples of a duplicate face accepted", n)
	}
	k.lock(kiosk.LogoutByOperator)
	if w.capCancel != nil {
		t.Error("capture still running after the lock")
	}
	t.Logf("wizard test: %s", time.Since(start).Round(time.Millisecond))
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
