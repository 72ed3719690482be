package app

import (
	"context"
	"encoding/csv"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// TestBulkImportReportsAndResumes imports a CSV with good and bad rows:
// each refusal says why, and an interrupted import resumes after the rows
// already done (first run through the job, second through the screen).
func TestBulkImportReportsAndResumes(t *testing.T) {
	eng := testEngine(t)
	env := newEnv(t, envOptions{det: eng})
	k, st := env.k, env.k.svc.Store
	dir := t.TempDir()
	photos := filepath.Join(dir, "foto")
	if err := os.Mkdir(photos, 0o755); err != nil {
		t.Fatal(err)
	}
	link := func(src, name string) {
		if err := os.Symlink(src, filepath.Join(photos, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(orl(t, 3, 1), "andi.pgm")
	link(orl(t, 4, 1), "budi.pgm")
	link(orl(t, 3, 2), "andi2.pgm")
	link(orl(t, 6, 1), "citra.pgm")
	link(filepath.Join(testutil.Dataset(t, "idols"), "_groups", "pristin.jpg"), "group.jpg")
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 128
	}
	f, _ := os.Create(filepath.Join(photos, "blank.png"))
	_ = png.Encode(f, blank)
	f.Close()

	csvText := "nip,nama,unit,foto\n" +
		"198001012005011001,Andi Wijaya,BKPSDM,andi.pgm\n" +
		"198102022006021002,Budi Hartono,BKPSDM,budi.pgm\n" +
		"12345,Salah NIP,BKPSDM,andi.pgm\n" +
		"198203032007031003,Tanpa Foto,BKPSDM,nope.jpg\n" +
		"198304042008041004,Foto Kosong,BKPSDM,blank.png\n" +
		"198405052009051005,Foto Ramai,BKPSDM,group.jpg\n" +
		"198506062010061006,Andi Kembar,BKPSDM,andi2.pgm\n" +
		"198607072011071007,Kolom Kurang\n" +
		"198708082012082008,Citra Dewi,Dinas Kesehatan,citra.pgm\n"
	csvPath := filepath.Join(dir, "pegawai.csv")
	if err := os.WriteFile(csvPath, []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}

	// First run: interrupted after three rows.
	job := &kiosk.BulkJob{Store: st, Detector: eng, Gallery: k.svc.Gallery, CSVPath: csvPath, PhotoDir: photos, Threshold: 0.42,
		StateDir: filepath.Join(k.svc.DataDir, "import")}
	ctx, cancel := context.WithCancel(storage.WithActor(context.Background(), "Sari"))
	var first []kiosk.BulkResult
	sum, err := job.Run(ctx, func(n, total int, r kiosk.BulkResult) {
		first = append(first, r)
		if n == 3 {
			cancel()
		}
	})
	if err != context.Canceled || sum.OK != 2 || sum.Refused != 1 || len(first) != 3 {
		t.Fatalf("first run: %+v, %v, %d rows", sum, err, len(first))
	}
	if first[2].Reason != "nip_invalid" {
		t.Errorf("row 3: %+v", first[2])
	}

	// Second run from the screen: resumes at row 4.
	env.loginAdmin(t)
	k.operator.selectTab(tabBulk)
	b := k.operator.tab(tabBulk).(*bulkTab)
	b.csvPath.SetText(csvPath)
	b.dir.SetText(photos)
	tapText(t, env.w.Content(), tr("bulk.start"))
	env.q.until(t, 120*time.Second, "the import", func() bool { return b.cancel == nil })
	want := map[string]string{ // NIP -> refusal ("" = enrolled)
		"198203032007031003": "photo_missing",
		"198304042008041004": "no_face",
		"198405052009051005": "multiple_faces",
		"198506062010061006": "duplicate",
		"198607072011071007": "columns",
		"198708082012082008": "",
	}
	if len(b.results) != len(want) {
		t.Fatalf("second run reported %d rows (%q): %+v", len(b.results), b.msg.Text, b.results)
	}
	for _, r := range b.results {
		if w, ok := want[r.NIP]; !ok || w != r.Reason {
			t.Errorf("line %d %s: reason %q (%s), want %q", r.Line, r.NIP, r.Reason, r.Detail, w)
		}
	}
	if !strings.Contains(b.results[3].Detail, "Andi Wijaya") {
		t.Errorf("duplicate does not name the other person: %q", b.results[3].Detail)
	}
	if !strings.Contains(b.msg.Text, "3 sudah diproses") {
		t.Errorf("summary %q", b.msg.Text)
	}
	for _, nip := range []string{"198001012005011001", "198102022006021002", "198708082012082008"} {
		if !k.svc.Gallery.Has(nip) {
			t.Errorf("%s not in the gallery", nip)
		}
	}
	// Report export.
	b.report.SetText(filepath.Join(dir, "laporan.csv"))
	tapText(t, env.w.Content(), tr("bulk.save_report"))
	rows := readCSV(t, filepath.Join(dir, "laporan.csv"))
	if len(rows) != 7 || rows[0][3] != "result" || rows[6][3] != "enrolled" {
		t.Errorf("report: %v", rows)
	}
	// A third run has nothing left to do.
	sum, err = job.Run(context.Background(), func(int, int, kiosk.BulkResult) { t.Error("a done row was redone") })
	if err != nil || sum.Skipped != 9 {
		t.Errorf("third run: %+v %v", sum, err)
	}
	if auditCount(t, st, kiosk.ActionImport) != 1 || auditCount(t, st, storage.ActionEnroll) != 3 {
		t.Errorf("audit: %d imports, %d enrollments", auditCount(t, st, kiosk.ActionImport), auditCount(t, st, storage.ActionEnroll))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestAttendanceLogFilterAndExport shows the day's events filtered by
// unit and person and exports them to CSV (audited).
func TestAttendanceLogFilterAndExport(t *testing.T) {
	env := newEnv(t, envOptions{})
	k, st := env.k, env.k.svc.Store
	ctx := context.Background()
	for _, e := range []storage.Employee{
		{NIP: "198001012005011001", Name: "Andi Wijaya", Unit: "BKPSDM"},
		{NIP: "198708082012082008", Name: "Citra Dewi", Unit: "Dinas Kesehatan"},
	} {
		if _, err := st.PutEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	day := env.clock.Now()
	record := func(nip string, at time.Time, kind storage.EventKind) {
		e := storage.Event{NIP: nip, Kind: kind}
		if err := storage.StampClock(&e, at, "Asia/Jakarta"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordEvent(ctx, e, nil); err != nil {
			t.Fatal(err)
		}
	}
	record("198001012005011001", day, storage.KindIn)
	record("198708082012082008", day.Add(5*time.Minute), storage.KindIn)
	record("198001012005011001", day.Add(9*time.Hour), storage.KindOut)
	record("198001012005011001", day.AddDate(0, 0, -1), storage.KindIn) // another day
	env.loginAdmin(t)
	k.operator.selectTab(tabLog)
	lt := k.operator.tab(tabLog).(*logTab)
	env.q.until(t, 10*time.Second, "the log", func() bool { return len(lt.rows) == 3 })
	lt.unit.SetSelected("Dinas Kesehatan")
	tapText(t, env.w.Content(), tr("log.show"))
	env.q.until(t, 10*time.Second, "the unit filter", func() bool { return len(lt.rows) == 1 })
	lt.unit.SetSelectedIndex(0)
	lt.person.SetText("andi")
	tapText(t, env.w.Content(), tr("log.show"))
	env.q.until(t, 10*time.Second, "the person filter", func() bool { return len(lt.rows) == 2 })
	out := filepath.Join(t.TempDir(), "presensi.csv")
	lt.path.SetText(out)
	tapText(t, env.w.Content(), tr("log.export"))
	env.q.until(t, 10*time.Second, "the export", func() bool { return strings.Contains(lt.msg.Text, out) })
	rows := readCSV(t, out)
	if len(rows) != 3 || rows[0][0] != "id" || rows[1][4] != "Andi Wijaya" || rows[2][2] != "out" {
		t.Errorf("export: %v", rows)
	}
	all, _ := kiosk.ReadAudit(ctx, st, 100)
	if all[0].Action != storage.ActionExport || all[0].Subject != out || all[0].Actor != "Sari" || !strings.Contains(all[0].Detail, "2 rows") {
		t.Errorf("export audit: %+v", all[0])
	}
	// The audit viewer shows it, newest first.
	k.operator.selectTab(tabAudit)
	at := k.operator.tab(tabAudit).(*auditTab)
	env.q.until(t, 10*time.Second, "the audit log", func() bool { return len(at.rows) > 0 })
	if at.rows[0].Action != storage.ActionExport {
		t.Errorf("audit viewer starts with %+v", at.rows[0])
	}
	at.filter.SetText("login")
	for _, a := range at.rows {
		if !strings.Contains(string(a.Action), "login") && !strings.Contains(a.Detail, "login") {
			t.Errorf("filter kept %+v", a)
		}
	}
}

// TestSettingsAreSavedAndAudited changes thresholds, liveness and
// language from the settings screen.
func TestSettingsAreSavedAndAudited(t *testing.T) {
	env := newEnv(t, envOptions{})
	k := env.k
	env.loginAdmin(t)
	k.operator.selectTab(tabSettings)
	s := k.operator.tab(tabSettings).(*settingsTab)
	s.thresh.SetText("0.9")
	s.saveRecognition()
	if s.recMsg.Text != tr("settings.threshold_rule") {
		t.Fatalf("threshold 0.9 accepted: %q", s.recMsg.Text)
	}
	s.thresh.SetText("0.40")
	s.liveness.SetSelectedIndex(2)
	s.saveRecognition()
	env.settle(t)
	o, err := k.ops.PipelineOptions()
	if err != nil || o.Policy.Threshold != 0.40 || o.Liveness != "challenge" {
		t.Fatalf("options %+v %v", o.Policy, err)
	}
	s.sched.SetText("/nonexistent.toml")
	s.saveSchedule()
	if !strings.Contains(s.schedMsg.Text, "nonexistent") {
		t.Errorf("bad schedule accepted: %q", s.schedMsg.Text)
	}
	s.lang.SetSelectedIndex(1)
	if currentLanguage != "en" || k.operator.current() != tabSettings || env.w.Title() != "Hadir — Face Attendance" {
		t.Fatalf("language switch: %s, tab %s, title %q", currentLanguage, k.operator.current(), env.w.Title())
	}
	env.settle(t)
	if v, _ := k.svc.Store.Setting(context.Background(), kiosk.SettingLanguage); v != "en" {
		t.Errorf("language setting %q", v)
	}
	if v, _ := k.svc.Store.Setting(context.Background(), kiosk.SettingAdapt); v != "on" {
		t.Errorf("adaptation setting %q, want on (the default, saved with the recognition settings)", v)
	}
	if n := auditCount(t, k.svc.Store, storage.ActionSetting); n != 5 {
		t.Errorf("%d setting changes audited, want 5", n)
	}
	_ = SetLanguage("id")
}

// TestDeleteEmployeeErasesEverything: the employees screen deletes an
// employee with their templates and enrollment photo, takes them out of
// the live gallery and audits the erasure.
func TestDeleteEmployeeErasesEverything(t *testing.T) {
	eng := testEngine(t)
	env := newEnv(t, envOptions{det: eng})
	k, st := env.k, env.k.svc.Store
	enrollFiles(t, env, eng, "198203042008011005", "Agus Prasetyo", "BKPSDM", orl(t, 5, 1), orl(t, 5, 2))
	env.loginAdmin(t)
	k.operator.selectTab(tabEmployees)
	et := k.operator.tab(tabEmployees).(*employeesTab)
	et.search.SetText("agus")
	if len(et.visible) != 1 {
		t.Fatalf("search found %d", len(et.visible))
	}
	et.list.Select(0)
	tapText(t, env.w.Content(), tr("employees.delete"))
	tapText(t, env.w.Content(), tr("employees.delete_yes"))
	env.q.until(t, 30*time.Second, "the erasure", func() bool { return et.msg.Text != "" })
	ctx := context.Background()
	if _, err := st.Employee(ctx, "198203042008011005"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("employee still there: %v", err)
	}
	if ts, _ := st.Templates(ctx, "198203042008011005"); len(ts) != 0 {
		t.Errorf("%d templates left", len(ts))
	}
	if _, err := st.EnrollPhoto(ctx, "198203042008011005"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("enrollment photo left: %v", err)
	}
	if k.svc.Gallery.Has("198203042008011005") {
		t.Error("still in the gallery")
	}
	if auditCount(t, st, storage.ActionErase) != 1 {
		t.Error("erasure not audited")
	}
	if !strings.Contains(et.msg.Text, "Agus Prasetyo") {
		t.Errorf("message %q", et.msg.Text)
	}
}
