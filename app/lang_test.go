package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/hadir-id/hadir/assets"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
	hsync "github.com/hadir-id/hadir/sync"
)

func translations(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// TestTranslationFilesHaveTheSameKeys: a key present in one language only
// would show raw (or in the other language) on screen.
func TestTranslationFilesHaveTheSameKeys(t *testing.T) {
	id, en := translations(t, "id"), translations(t, "en")
	for k, v := range id {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in id.json only", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("id.json: %q is empty", k)
		}
	}
	for k, v := range en {
		if _, ok := id[k]; !ok {
			t.Errorf("%q is in en.json only", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("en.json: %q is empty", k)
		}
	}
}

// TestEveryKeyUsedExists reads the package's source for tr("...") and
// trf("...") and package kiosk's for the keys its operations hand the
// screens (capture hints, sync errors), and checks each key, plus every
// key built from a state, guidance, challenge, reason or code, against
// both files.
func TestEveryKeyUsedExists(t *testing.T) {
	id := translations(t, "id")
	used := map[string]bool{}
	sourceKeys(t, "*.go", regexp.MustCompile(`trf?\("([a-z_.0-9]*[a-z_0-9])"`), used)
	sourceKeys(t, "../kiosk/*.go", regexp.MustCompile(`"((?:capture|guide|sync\.err|sync\.problem)\.[a-z_.]*[a-z_])"`), used)
	if !used["sync.err.invalid_code"] || !used["capture.no_face"] {
		t.Error("the keys of package kiosk were not found")
	}
	for _, k := range []checkin.StateKind{checkin.StateIdle, checkin.StateGuiding, checkin.StateIdentifying,
		checkin.StateChallenge, checkin.StateRecorded, checkin.StateAlreadyRecorded, checkin.StateOutsideHours,
		checkin.StateUnknown, checkin.StateLivenessFailed, checkin.StateFallback, checkin.StateError} {
		used["state."+string(k)] = true
	}
	for _, g := range []checkin.Guidance{checkin.GuideOnePerson, checkin.GuideComeCloser, checkin.GuideCentre,
		checkin.GuideLookStraight, checkin.GuideMoreLight, checkin.GuideLessLight, checkin.GuideHoldStill} {
		used["guide."+string(g)] = true
	}
	for _, c := range []checkin.Challenge{checkin.ChallengeBlink, checkin.ChallengeTurnLeft, checkin.ChallengeTurnRight} {
		used["challenge."+string(c)] = true
	}
	// Reasons the pipeline reports (checkin/pipeline.go, record.go, votes.go).
	for _, r := range []string{"empty_gallery", "too_far", "ambiguous", "not_active", "timeout", "recognition", "photo",
		"storage", "storage_full", "schedule", "clock", "camera", "unknown", "liveness_failed", "error"} {
		used["reason."+r] = true
	}
	for _, k := range []string{"in", "out", "manual"} {
		used["card.kind."+k] = true
	}
	for _, k := range []string{"unknown", "liveness_failed", "fallback", "error"} {
		used["card.hint."+k] = true
	}
	for _, p := range kiosk.CapturePlan {
		used["capture.pose."+string(p)] = true
	}
	for _, r := range []string{"columns", "nip_invalid", "name_missing", "photo_missing", "photo_unreadable", "no_face",
		"multiple_faces", "low_quality", "duplicate", "storage"} {
		used["bulk.reason."+r] = true
	}
	for _, k := range []string{"in", "out", "manual", "sighting"} {
		used["event.kind."+k] = true
	}
	for _, k := range []string{"pending", "synced", "rejected"} {
		used["event.sync."+k] = true
	}
	for _, m := range livenessModes {
		used["liveness."+string(m)] = true
	}
	for _, r := range roles {
		used["role."+string(r)] = true
	}
	for _, tab := range allTabs {
		used["tab."+tab] = true
	}
	for a := range knownActions {
		used["audit.action."+string(a)] = true
	}
	for _, p := range []string{hsync.ProblemNotRegistered, hsync.ProblemRevoked, hsync.ProblemUnauthorized,
		hsync.ProblemOffline, hsync.ProblemServer, hsync.ProblemProtocol, hsync.ProblemStorage, hsync.ProblemOther} {
		used["sync.problem."+p] = true
	}
	for _, p := range []string{"store_locked", "store_key", "store_corrupt", "store_newer", "store_other",
		"models_missing", "engine", "other"} {
		used["problem."+p+".title"] = true
		used["problem."+p+".explain"] = true
	}
	for i := 0; i < 7; i++ {
		used["weekday."+string(rune('0'+i))] = true
	}
	var missing []string
	for k := range used {
		if _, ok := id[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("key %q is used but not translated", k)
	}
}

// sourceKeys adds the translation keys re finds (first group) in the
// non-test Go files matching glob.
func sourceKeys(t *testing.T, glob string, re *regexp.Regexp, used map[string]bool) {
	t.Helper()
	files, _ := filepath.Glob(glob)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
}

// visibleTexts collects every text drawn by o's visible tree.
func visibleTexts(o fyne.CanvasObject, out map[string]bool) {
	if o == nil || !o.Visible() {
		return
	}
	switch v := o.(type) {
	case *canvas.Text:
		if s := strings.TrimSpace(v.Text); s != "" {
			out[s] = true
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			visibleTexts(c, out)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			visibleTexts(c, out)
		}
	}
}

// screensIn starts a kiosk in the other language, switches it to code at
// run time from the settings screen (as an admin would), and renders
// every screen, returning the texts seen (plus a fresh kiosk's first-admin
// form in code).
func screensIn(t *testing.T, code string) map[string]bool {
	seen := map[string]bool{}
	first := newEnv(t, envOptions{lang: code}) // a fresh kiosk: the first-admin form
	first.k.showOperator("")
	visibleTexts(first.w.Content(), seen)

	start := "en"
	if code == "en" {
		start = "id"
	}
	env := newEnv(t, envOptions{lang: start})
	k := env.k
	look := func() {
		env.q.pump()
		visibleTexts(env.w.Content(), seen)
	}
	k.showOperator("")
	env.loginAdminForm(t)
	k.operator.selectTab(tabSettings)
	s := k.operator.tab(tabSettings).(*settingsTab)
	if code == "en" {
		s.lang.SetSelectedIndex(1) // rebuilds every screen in English
	} else {
		s.lang.SetSelectedIndex(0)
	}
	if currentLanguage != code {
		t.Fatalf("language %s, want %s", currentLanguage, code)
	}
	k.lock(kiosk.LogoutByOperator)
	env.q.until(t, 10*time.Second, "the no-camera screen", func() bool {
		return k.cam.status.State != 0 && k.checkin.noCam.title.Text == tr("camera.none")
	})
	k.tick()
	look()
	k.checkin.show(checkin.State{Kind: checkin.StateRecorded, Person: &checkin.Person{NIP: "198501012010011001", Name: "Dewi", Unit: "BKPSDM"},
		Result: &checkin.Result{Kind: "in", Time: env.clock.Now(), Late: 12, Tier: "TL1"}}, nil)
	look()
	k.checkin.show(checkin.State{Kind: checkin.StateUnknown, Reason: "too_far"}, nil)
	look()
	k.checkin.show(checkin.State{Kind: checkin.StateFallback, Reason: "unknown", Attempts: 3}, nil)
	look()
	k.checkin.openForm()
	look()
	k.checkin.form.close()
	env.clock.Add(cardTime)
	k.tick()
	k.checkin.show(checkin.State{Kind: checkin.StateChallenge, Challenge: checkin.ChallengeBlink,
		Person: &checkin.Person{Name: "Dewi"}, Progress: 0.3}, nil)
	look()
	tapText(t, env.w.Content(), tr("kiosk.operator"))
	look() // the PIN login
	typePIN(t, env, "135790")
	for _, name := range k.operator.names {
		k.operator.selectTab(name)
		look()
	}
	k.operator.selectTab(tabEnroll)
	w := k.operator.tab(tabEnroll).(*enrollWizard)
	w.agree.SetChecked(true)
	w.goTo(stepEmployee)
	look()
	w.nip.SetText("123")
	w.checkEmployee()
	look()
	w.goTo(stepCapture)
	look()
	k.lock(kiosk.LogoutByOperator)
	if env.w.Title() != tr("kiosk.title") {
		t.Errorf("%s: title %q", code, env.w.Title())
	}
	return seen
}

// neutral matches data that is the same in every language: numbers,
// times, dates, NIPs, paths and URLs.
var neutral = regexp.MustCompile(`^[-0-9:./ ,×()%]+$|^/|://|^NIP \d+$`)

// TestLanguageSwitchChangesEveryVisibleString renders all screens of a
// kiosk left in Bahasa Indonesia and of one switched to English at run
// time: no raw key may show, and every string that shows in both must be
// one the translation files spell the same in both languages (or data
// such as a clock).
func TestLanguageSwitchChangesEveryVisibleString(t *testing.T) {
	id, en := translations(t, "id"), translations(t, "en")
	// Data the test puts on screen, alone or with a word both languages
	// share ("Admin", "NIP").
	same := map[string]bool{"Dewi": true, "BKPSDM": true, "Sari": true, "123": true, "TL1": true,
		"Sari (Admin)": true, "— NIP 123": true}
	for k, v := range id {
		if en[k] == v {
			same[v] = true
			for _, line := range strings.Split(v, "\n") {
				same[strings.TrimSpace(line)] = true
			}
		}
	}
	keyLike := regexp.MustCompile(`^[a-z_]+(\.[a-z_0-9]+)+$`)
	inID := screensIn(t, "id")
	inEN := screensIn(t, "en")
	if len(inID) < 100 || len(inEN) < 100 {
		t.Fatalf("too few strings seen (id %d, en %d): the walk is broken", len(inID), len(inEN))
	}
	for code, seen := range map[string]map[string]bool{"id": inID, "en": inEN} {
		for s := range seen {
			if keyLike.MatchString(s) {
				t.Errorf("%s: raw key %q on screen", code, s)
			}
		}
	}
	var unchanged []string
	// Audit rows ("Sari created, role admin") are records: the operator's
	// name and the store's detail text, kept as written. Whether the audit
	// tab has loaded when the walk passes it depends on timing.
	auditRow := regexp.MustCompile(`^Sari \S`)
	for s := range inID {
		if inEN[s] && !same[s] && !neutral.MatchString(s) && !auditRow.MatchString(s) {
			unchanged = append(unchanged, s)
		}
	}
	sort.Strings(unchanged)
	for _, s := range unchanged {
		t.Errorf("%q shows in both languages", s)
	}
	if !inID[id["kiosk.welcome"]] || !inEN[en["kiosk.welcome"]] || !inID[id["tab.enroll"]] || !inEN[en["tab.enroll"]] {
		t.Error("expected strings missing from the walk")
	}
	_ = SetLanguage("id")
}

// TestSetLanguageRejectsUnknown keeps the language flag honest.
func TestSetLanguageRejectsUnknown(t *testing.T) {
	if err := SetLanguage("fr"); err == nil {
		t.Error("unknown language accepted")
	}
	if _, err := kiosk.ParseConfig([]string{"--lang", "fr"}); err == nil {
		t.Error("--lang fr accepted")
	}
}
