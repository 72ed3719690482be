package console_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/hadir-id/hadir/server/storetest"
)

// lb1Row returns nip's row of the API's LB.1 for DINKES this month.
func lb1Row(s *site, nip string) map[string]any {
	s.t.Helper()
	r := s.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month="+s.today[:7], s.admin, nil)
	s.Want(r, 200, "")
	for _, x := range r.JSON["rows"].([]any) {
		if m := x.(map[string]any); m["nip"] == nip {
			return m
		}
	}
	s.t.Fatalf("%s not in LB.1: %s", nip, r.Raw)
	return nil
}

func num(m map[string]any, keys ...string) int {
	for _, k := range keys[:len(keys)-1] {
		m, _ = m[k].(map[string]any)
	}
	f, _ := m[keys[len(keys)-1]].(float64)
	return int(f)
}

// testRecapFlow: an operator files a sick-leave exception with a PDF in
// the browser, the unit head (not the creator) approves it and the manual
// kiosk event; the LB.1 page and the API then agree, the LB.2 drill-down
// shows the code, and the XLSX export parses with the person in it.
func testRecapFlow(s *site) {
	t := s.t
	d := s.nips["DINKES"]
	sick, manual := d[3], d[2]
	before := lb1Row(s, sick)
	pdf := filepath.Join(t.TempDir(), "surat-dokter.pdf")
	if err := os.WriteFile(pdf, storetest.TestPDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	s.login("op")
	s.open("/approvals")
	s.run(chromedp.SetValue(chromedp.ID("enip"), sick), chromedp.SetValue(chromedp.ID("etype"), "S"),
		chromedp.SetValue(chromedp.ID("efrom"), s.today), chromedp.SetValue(chromedp.ID("eto"), s.today),
		chromedp.SetValue(chromedp.ID("ereason"), "demam"), chromedp.SetUploadFiles(chromedp.ID("edoc"), []string{pdf}),
		chromedp.Click(chromedp.ID("create-exception")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if s.count(`tr[data-kind=exception][data-state=pending]`) != 1 {
		t.Fatal("the new exception is not in the queue")
	}
	if s.count(`tr[data-kind=exception] a[download]`) != 1 {
		t.Error("the exception's document is not linked")
	}
	if s.count(`tr[data-kind=exception] button.approve`) != 0 {
		t.Error("the operator who filed the exception is offered to approve it")
	}

	s.login("head")
	if p := s.location(); p != "/approvals" {
		t.Fatalf("unit head landed on %s", p)
	}
	for _, kind := range []string{"exception", "manual_event"} {
		row := `tr[data-kind=` + kind + `][data-state=pending]`
		id := eval[string](s, `document.querySelector("`+row+`").dataset.id`)
		// Wait for this decision's notice, not the previous one's.
		s.run(chromedp.SetValue(chromedp.CSS(row+` input[name=note]`), "ok, "+kind),
			chromedp.Click(chromedp.CSS(row+` button.approve`)), chromedp.WaitVisible(chromedp.CSS(`p.notice[data-done="`+id+`"]`)))
	}
	if n := s.count(`tr[data-state=pending]`); n != 0 {
		t.Errorf("%d items still pending after the head's decisions", n)
	}

	// Today is not over in the LB.1 (BH) until the day closes, so the
	// sick leave moves the day from BH/TK to S.
	after := lb1Row(s, sick)
	if num(after, "exceptions", "S") != num(before, "exceptions", "S")+1 || num(after, "TK")+num(after, "BH") != num(before, "TK")+num(before, "BH")-1 {
		t.Errorf("LB.1 of %s did not change with the approved sick leave: before %v, after %v", sick, before, after)
	}
	m := s.Do("GET", "/api/v1/manual-events?unit=DINKES&status=approved", s.admin, nil)
	if evs, _ := m.JSON["events"].([]any); len(evs) != 1 || !strings.Contains(string(m.Raw), manual) {
		t.Errorf("the manual event of %s is not approved: %s", manual, m.Raw)
	}
	s.open("/recap/monthly?unit=DINKES&month=" + s.today[:7])
	row := `#lb1 tr[data-nip="` + sick + `"] `
	for k, want := range map[string]int{"S": num(after, "exceptions", "S"), "TK": num(after, "TK"), "H": num(after, "H")} {
		if got, err := strconv.Atoi(s.text(row + `td[data-k=` + k + `]`)); err != nil || got != want {
			t.Errorf("LB.1 page %s = %d (%v), API %d", k, got, err, want)
		}
	}
	s.run(chromedp.Click(chromedp.CSS(row+"a")), chromedp.WaitVisible(chromedp.ID("lb2")))
	if got := s.text(`#lb2 tr[data-date="` + s.today + `"] td[data-k=code]`); got != "S" {
		t.Errorf("LB.2 code for %s = %q, want S", s.today, got)
	}

	s.open("/recap/daily?unit=DINKES&date=" + s.today)
	if got := s.text(`#lh tr[data-nip="` + sick + `"] td[data-k=code]`); got != "S" {
		t.Errorf("LH code of %s = %q, want S", sick, got)
	}

	res := s.get("/recap/export?unit=DINKES&format=xlsx&month="+s.today[:7], s.sessionCookie().Value)
	if res.StatusCode != 200 {
		t.Fatalf("XLSX export: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(res.Body)
	if err != nil {
		t.Fatalf("XLSX does not parse: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || slices.Contains(r, sick)
	}
	if !found || !strings.Contains(strings.Join(rows[0], " "), "LB.1") {
		t.Errorf("XLSX lacks %s or its title: %v", sick, rows[:min(len(rows), 8)])
	}
}
