package console_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server/storetest"
)

// submit runs act (a click that submits a form) and waits for the next
// page: the current one is marked first, so a match on the old page (a
// notice already shown) cannot end the wait early.
func (s *site) submit(act chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	s.run(chromedp.Evaluate[chromedp.Void](`document.body.dataset.left = "1"`), act,
		chromedp.WaitReady(chromedp.CSS(`body:not([data-left]) main`)))
}

// post submits a form built in the current page to action, with the
// session's real CSRF token (taken from the logout form) and fields: what
// a user who edits the page, or types a URL, can send. It returns the
// error page's status ("" when the answer is not an error page).
func (s *site) post(action string, fields map[string]string) string {
	s.t.Helper()
	js, _ := json.Marshal(fields)
	s.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const f = document.createElement("form"); f.method = "post"; f.action = %q;
		f.appendChild(document.querySelector("input[name=csrf]").cloneNode());
		for (const [k, v] of Object.entries(%s)) { const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i); }
		document.body.appendChild(f); document.body.dataset.left = "1"; f.submit(); })()`, action, js)),
		chromedp.WaitReady(chromedp.CSS(`body:not([data-left]) main`)))
	if s.count(`p[data-status]`) == 0 {
		return ""
	}
	return eval[string](s, `document.querySelector("p[data-status]").dataset.status`)
}

// testTransfer: an admin moves a person through the profile (audited by
// the API); an operator can neither see the form nor post it, nor open
// another unit's profile; the profile lists the unit's kiosks.
func testTransfer(s *site) {
	t := s.t
	nip := s.nips["DINKES"][3]
	s.login("op")
	s.open("/employees/" + nip)
	if s.count("#transfer") != 0 {
		t.Error("operator is offered the transfer form")
	}
	if st := s.post("/employees/"+nip+"/transfer", map[string]string{"unit": "DINSOS"}); st != "403" {
		t.Errorf("operator's transfer post: status %q, want 403", st)
	}
	if u := s.Do("GET", "/api/v1/employees/"+nip, s.admin, nil); !strings.Contains(string(u.Raw), `"unit":"DINKES"`) {
		t.Fatalf("an operator moved a person: %s", u.Raw)
	}

	s.login("admin")
	s.open("/employees/" + nip)
	if ids := eval[[]string](s, `[...document.querySelectorAll("#unit-kiosks tr[data-id]")].map(r => r.dataset.id)`); !slices.Contains(ids, "K1") || slices.Contains(ids, "K2") {
		t.Errorf("kiosks of DINKES on the profile: %v, want K1 and not DINSOS's K2", ids)
	}
	s.run(chromedp.SetValue(chromedp.ID("tunit"), "DINSOS"))
	s.submit(chromedp.Click(chromedp.ID("transfer")))
	if got := s.text(`dd[data-k=unit]`); got != "DINSOS" {
		t.Errorf("unit after the transfer: %q", got)
	}
	if u := s.Do("GET", "/api/v1/employees/"+nip, s.admin, nil); !strings.Contains(string(u.Raw), `"unit":"DINSOS"`) {
		t.Errorf("API after the transfer: %s", u.Raw)
	}
	if a := s.Do("GET", "/api/v1/audit?limit=5000", s.admin, nil); !strings.Contains(string(a.Raw), `"employee.transfer"`) {
		t.Errorf("transfer not in the audit log: %.300s", a.Raw)
	}
	// Now in DINSOS: the DINKES operator loses the profile; move back.
	s.login("op")
	if res := s.get("/employees/"+nip, s.sessionCookie().Value); res.StatusCode != 403 {
		t.Errorf("operator of DINKES at a person moved to DINSOS: %d, want 403", res.StatusCode)
	}
	s.login("admin")
	s.open("/employees/" + nip)
	s.run(chromedp.SetValue(chromedp.ID("tunit"), "DINKES"))
	s.submit(chromedp.Click(chromedp.ID("transfer")))
}

// testHeld: kept-aside events are listed by unit (an operator sees their
// kiosks' ones only and cannot decide); an admin releases and dismisses
// them with a reason that reaches the audit log.
func testHeld(s *site) {
	t := s.t
	day, err := time.ParseInLocation(time.DateOnly, s.today, wibLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	at := day.Add(8 * time.Hour)
	other, ghost, ghost2 := s.nips["DINSOS"][0], storetest.NIP(77), storetest.NIP(78)
	s.Want(s.Do("POST", "/api/v1/events", s.k1.Token, storetest.Batch(s.ch1.Next("in", other, at), s.ch1.Next("in", ghost, at))), 200, "")
	s.Want(s.Do("POST", "/api/v1/events", s.k2.Token, storetest.Batch(s.ch2.Next("in", ghost2, at))), 200, "")
	rows := func() map[string]string { // nip -> device/id
		out := map[string]string{}
		for _, r := range eval[[][]string](s, `[...document.querySelectorAll("#held tbody tr[data-id]")].map(r => [r.cells[2].textContent, r.dataset.device + "/" + r.dataset.id])`) {
			out[r[0]] = r[1]
		}
		return out
	}

	s.login("admin")
	s.open("/held")
	all := rows()
	if len(all) != 3 || all[other] == "" || all[ghost] == "" || all[ghost2] == "" {
		t.Fatalf("admin's held events %v, want %s, %s and %s", all, other, ghost, ghost2)
	}
	if got := s.text(`tr[data-held=unknown_nip] td strong`); got != "NIP tidak dikenal" {
		t.Errorf("reason shown as %q", got)
	}

	s.login("op")
	s.open("/held")
	mine := rows()
	if len(mine) != 2 || mine[ghost2] != "" {
		t.Errorf("DINKES operator's held events %v: want K1's two, not K2's", mine)
	}
	if n := s.count("#held form"); n != 0 {
		t.Errorf("operator is offered %d release forms", n)
	}
	for _, id := range []string{all[ghost2], all[ghost]} {
		if st := s.post("/held/"+id+"/release", map[string]string{"note": "saya"}); st != "403" {
			t.Errorf("operator's release of %s: status %q, want 403", id, st)
		}
	}

	s.login("admin")
	s.open("/held")
	if st := s.post("/held/"+all[ghost]+"/dismiss", map[string]string{"note": " "}); st != "400" {
		t.Errorf("dismiss without a reason: status %q, want 400", st)
	}
	s.open("/held")
	rowSel := func(devID string) string {
		dev, id, _ := strings.Cut(devID, "/")
		return fmt.Sprintf(`tr[data-device=%q][data-id=%q]`, dev, id)
	}
	sel := rowSel(all[ghost])
	s.run(chromedp.SendKeys(chromedp.CSS(sel+" input[name=note]"), "NIP salah ketik di kios"))
	s.submit(chromedp.Click(chromedp.CSS(sel + " button.reject")))
	sel = rowSel(all[other])
	s.run(chromedp.SendKeys(chromedp.CSS(sel+" input[name=note]"), "pegawai dipinjam ke DINKES"))
	s.submit(chromedp.Click(chromedp.CSS(sel + " button.approve")))
	if left := rows(); len(left) != 1 || left[ghost2] == "" {
		t.Errorf("still waiting after two decisions: %v", left)
	}
	s.open("/held?review=all")
	if n := s.count(`tr[data-review=dismissed]`) + s.count(`tr[data-review=released]`); n != 2 {
		t.Errorf("%d decided rows in the full list, want 2", n)
	}
	a := string(s.Do("GET", "/api/v1/audit?limit=5000", s.admin, nil).Raw)
	if !strings.Contains(a, "NIP salah ketik di kios") || !strings.Contains(a, "pegawai dipinjam ke DINKES") {
		t.Error("the reasons are not in the audit log")
	}
}

// upload writes content to a file and submits it through the file input
// sel of the current page, clicking submit; js runs before the click
// (a hand edit of the form).
func (s *site) upload(sel, content, submit, js string) {
	s.t.Helper()
	p := filepath.Join(s.t.TempDir(), "roster.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
	acts := []chromedp.Action[chromedp.Void]{chromedp.SetUploadFiles(chromedp.CSS(sel), []string{p})}
	if js != "" {
		acts = append(acts, chromedp.Evaluate[chromedp.Void](js))
	}
	s.run(acts...)
	s.submit(chromedp.Click(chromedp.CSS(submit)))
}

// lines returns the line numbers of the listed refusals under sel.
func (s *site) lines(sel string) []string {
	return eval[[]string](s, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(li => li.dataset.line)`, sel+" li[data-line]"))
}

// testSchedules: an operator views their unit's schedule and roster and
// uploads a roster, refused line by line, then stored; not another
// unit's. An admin edits a year's holidays, refused line by line.
func testSchedules(s *site) {
	t := s.t
	d := s.nips["DINKES"]
	day := s.today
	s.login("op")
	s.open("/settings/roster")
	if got := s.text(`#schedule dd`); got != "WIB" {
		t.Errorf("schedule zone %q", got)
	}
	bad := "nip,date,shift\n" + d[0] + "," + day + ",OFF\n" + s.nips["DINSOS"][0] + "," + day + ",OFF\n" +
		d[1] + ",2026-13-01,OFF\n" + d[0] + "," + day + ",MALAM\n"
	s.upload("#rfile", bad, "#upload-roster", "")
	if got := s.lines("#upload-lines"); strings.Join(got, ",") != "3,4,5,5" {
		t.Errorf("refused lines %v, want 3,4,5,5 (other unit, bad date, unknown shift, twice)", got)
	}
	if n := s.count(`#roster tr[data-nip]`); n != 0 {
		t.Errorf("a refused roster stored %d lines", n)
	}
	s.upload("#rfile", d[0]+","+day+",OFF\n"+d[1]+","+day+",OFF\n", "#upload-roster", "")
	if n := s.count(`#roster tr[data-nip]`); n != 2 || s.count("p.notice") != 1 {
		t.Errorf("stored roster shows %d lines", n)
	}
	// Another unit: the page and a hand-edited upload are refused.
	s.open("/settings/roster?unit=DINSOS")
	if s.count(`p[data-status="403"]`) != 1 {
		t.Error("operator of DINKES sees DINSOS's roster")
	}
	s.open("/settings/roster")
	s.upload("#rfile", s.nips["DINSOS"][0]+","+day+",OFF\n", "#upload-roster",
		`document.querySelector("form[action='/settings/roster'] input[name=unit]").value = "DINSOS"`)
	if s.count(`p[data-status="403"]`) != 1 {
		t.Error("operator of DINKES uploaded DINSOS's roster")
	}
	if st := s.post("/settings/holidays", map[string]string{"year": day[:4], "holidays": ""}); st != "403" {
		t.Errorf("operator's holiday post: %q, want 403", st)
	}

	s.login("admin")
	s.open("/settings")
	y := day[:4]
	date := y + "-08-17"
	if day[5:] == "08-17" {
		date = y + "-08-18"
	}
	s.run(chromedp.SetValue(chromedp.ID("holtext"), date+" libur Hari Kemerdekaan\nlibur saja\n"+y+"-02-30 libur Tidak ada\n"+date+" cuti Salah jenis\n"))
	s.submit(chromedp.Click(chromedp.ID("save-holidays")))
	if got := s.lines("#hol-errors"); strings.Join(got, ",") != "2,3,4" {
		t.Errorf("refused holiday lines %v, want 2,3,4", got)
	}
	s.run(chromedp.SetValue(chromedp.ID("holtext"), "# nasional\n"+date+" libur Hari Kemerdekaan\n"))
	s.submit(chromedp.Click(chromedp.ID("save-holidays")))
	r := s.Do("GET", "/api/v1/holidays?year="+y, s.admin, nil)
	if !strings.Contains(string(r.Raw), `"date":"`+date+`"`) || strings.Count(string(r.Raw), `"date"`) != 1 {
		t.Errorf("holidays after the edit: %s", r.Raw)
	}
}

// testEvidenceNote: a manual event with an evidence photo says on the
// queue which kiosk keeps the photo (it is never sent to the server).
func testEvidenceNote(s *site) {
	t := s.t
	day, err := time.ParseInLocation(time.DateOnly, s.today, wibLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	c := s.ch1
	c.Seq++
	at := day.Add(7*time.Hour + 33*time.Minute).UTC()
	ev := api.Event{ID: storetest.NewULID(), Kind: "manual", NIP: s.nips["DINKES"][3], Time: at, Zone: "Asia/Jakarta", Monotonic: 1, BootID: "boot-1",
		Liveness: "pin", PhotoID: "photo-1", Operator: "op", Note: "wajah tidak dikenali", Device: "K1", Seq: c.Seq, RecordedAt: at, PrevHash: c.Prev}
	storetest.Seal(c.Secret, &ev)
	c.Prev = ev.Hash
	s.Want(s.Do("POST", "/api/v1/events", s.k1.Token, map[string]any{"events": []api.Event{ev}}), 200, "")
	s.login("op")
	s.open("/approvals")
	if got := s.text(`tr[data-id="` + ev.ID + `"] small[data-photo]`); !strings.Contains(got, "K1") {
		t.Errorf("evidence note %q, want the kiosk K1 named", got)
	}
}
