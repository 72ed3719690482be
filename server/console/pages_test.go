package console_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

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
	s.run(chromedp.SetValue(chromedp.ID("tunit"), "DINSOS"), chromedp.Click(chromedp.ID("transfer")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
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
	s.run(chromedp.SetValue(chromedp.ID("tunit"), "DINKES"), chromedp.Click(chromedp.ID("transfer")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
}
