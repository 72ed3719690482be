package console_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server/storetest"
)

// TestConsole drives the real console in Chromium. One browser serves
// the subtests, which log in afresh (cookies cleared) each time.
func TestConsole(t *testing.T) {
	s := newSite(t)
	t.Run("LoginAndTodayMatchesAPI", func(t *testing.T) { s.t = t; testToday(s) })
	t.Run("OperatorSeesOnlyOwnUnit", func(t *testing.T) { s.t = t; testOperatorScope(s) })
	t.Run("AuditorSeesOnlyAuditLog", func(t *testing.T) { s.t = t; testAuditor(s) })
	t.Run("FormWithoutCSRFRefused", func(t *testing.T) { s.t = t; testCSRF(s) })
	t.Run("KiosksEmployeesUsers", func(t *testing.T) { s.t = t; testAdminPages(s) })
	t.Run("ExceptionApprovalsLB1XLSX", func(t *testing.T) { s.t = t; testRecapFlow(s) })
	t.Run("EmployeeTransfer", func(t *testing.T) { s.t = t; testTransfer(s) })
	t.Run("HeldEvents", func(t *testing.T) { s.t = t; testHeld(s) })
	t.Run("Schedules", func(t *testing.T) { s.t = t; testSchedules(s) })
	t.Run("EvidencePhotoNote", func(t *testing.T) { s.t = t; testEvidenceNote(s) })
	t.Run("KeyboardOnly", func(t *testing.T) { s.t = t; testKeyboard(s) })
	t.Run("LogoutEndsSession", func(t *testing.T) { s.t = t; testLogout(s) })
	t.Run("SessionSharedAcrossServers", func(t *testing.T) { s.t = t; testTwoServers(s) })
	t.Run("IdleAndOldSessionsEnd", func(t *testing.T) { s.t = t; testIdle(s) })
}

// apiCounts counts the API's LH of unit for today like the Today page.
func apiCounts(s *site, unit string) map[string]int {
	r := s.Do("GET", "/api/v1/recap/daily?limit=1000&unit="+unit, s.admin, nil)
	s.Want(r, 200, "")
	if r.Str("date") != s.today {
		s.t.Fatalf("API date %s, want %s", r.Str("date"), s.today)
	}
	n := map[string]int{}
	for _, x := range r.JSON["rows"].([]any) {
		code := x.(map[string]any)["code"].(string)
		n["total"]++
		switch code {
		case attendance.CodePresent, attendance.CodeEarly:
			n["present"]++
		case attendance.CodeLate, attendance.CodeLateEarly:
			n["present"]++
			n["late"]++
		case attendance.CodeAbsent, attendance.CodeNotYet:
			n["absent"]++
		case attendance.CodePending:
			n["pending"]++
		default:
			n["exception"]++
		}
	}
	m := s.Do("GET", "/api/v1/manual-events?unit="+unit, s.admin, nil)
	s.Want(m, 200, "")
	n["waiting"] = len(m.JSON["events"].([]any))
	return n
}

// pageCounts reads a unit's row of the Today table.
func pageCounts(s *site, unit string) map[string]int {
	n := map[string]int{}
	for _, k := range []string{"total", "present", "late", "absent", "exception", "pending", "waiting"} {
		v, err := strconv.Atoi(s.text(fmt.Sprintf(`tr[data-unit=%q] td[data-k=%q]`, unit, k)))
		if err != nil {
			s.t.Fatalf("%s %s: %v", unit, k, err)
		}
		n[k] = v
	}
	return n
}

func testToday(s *site) {
	t := s.t
	s.login("admin")
	if p := s.location(); p != "/today" {
		t.Fatalf("admin landed on %s, want /today", p)
	}
	for _, unit := range []string{"DINKES", "DINSOS"} {
		api, page := apiCounts(s, unit), pageCounts(s, unit)
		for k, v := range api {
			if page[k] != v {
				t.Errorf("%s %s: page %d, API %d", unit, k, page[k], v)
			}
		}
	}
	// The seeded day as hand-computed: DINKES 4 people, 2 present (1 late),
	// 2 without a record (one has only an unapproved manual event, which
	// waits for a decision); DINSOS's kiosk holds a backlog: both pending.
	want := map[string]map[string]int{
		"DINKES": {"total": 4, "present": 2, "late": 1, "absent": 2, "pending": 0, "waiting": 1},
		"DINSOS": {"total": 2, "present": 0, "absent": 0, "pending": 2, "waiting": 0},
	}
	for unit, w := range want {
		page := pageCounts(s, unit)
		for k, v := range w {
			if page[k] != v {
				t.Errorf("%s %s = %d, want %d", unit, k, page[k], v)
			}
		}
	}
	if n := s.count(`svg.bar rect`); n == 0 {
		t.Error("no chart bars")
	}
	if got := s.text(`ul[data-alert=clock]`); !strings.Contains(got, "K2") {
		t.Errorf("clock alert list %q lacks K2", got)
	}
	if got := s.text(`ul[data-alert=backlog]`); !strings.Contains(got, "K2") {
		t.Errorf("backlog alert list %q lacks K2", got)
	}
	if got := s.text("#waiting"); !strings.Contains(got, "1") {
		t.Errorf("waiting text %q", got)
	}
}

func testOperatorScope(s *site) {
	t := s.t
	s.login("op")
	if n := s.count(`tr[data-unit=DINSOS]`); n != 0 {
		t.Error("operator of DINKES sees DINSOS on Today")
	}
	if n := s.count(`tr[data-unit=DINKES]`); n != 1 {
		t.Errorf("operator sees %d DINKES rows on Today", n)
	}
	s.open("/employees")
	nips := eval[[]string](s, `[...document.querySelectorAll("#employees tbody tr[data-nip]")].map(r => r.dataset.nip)`)
	slices.Sort(nips)
	if !slices.Equal(nips, s.nips["DINKES"]) {
		t.Errorf("operator's employees %v, want %v", nips, s.nips["DINKES"])
	}
	other := s.nips["DINSOS"][0]
	for _, path := range []string{"/employees/" + other, "/employees?unit=DINSOS", "/users", "/audit", "/audit.csv"} {
		s.open(path)
		if got := s.text(`p[data-status]`); got == "" || s.count(`p[data-status="403"]`) != 1 {
			t.Errorf("operator at %s: got %q, want a 403 page", path, got)
		}
		body := s.text("main")
		if strings.Contains(body, "Eka Putri") || strings.Contains(body, other) && path != "/employees/"+other {
			t.Errorf("operator at %s sees another unit's person", path)
		}
	}
	if res := s.get("/employees/"+other, s.sessionCookie().Value); res.StatusCode != http.StatusForbidden {
		t.Errorf("direct URL to another unit's person: status %d, want 403", res.StatusCode)
	}
	s.open("/employees/" + s.nips["DINKES"][0])
	if got := s.text(`dd[data-k=unit]`); got != "DINKES" {
		t.Errorf("own person's unit %q", got)
	}
	if s.count("#erase") != 0 {
		t.Error("operator is offered the erase button")
	}
}

func testAuditor(s *site) {
	t := s.t
	s.login("aud")
	if p := s.location(); p != "/audit" {
		t.Fatalf("auditor landed on %s, want /audit", p)
	}
	nav := eval[[]string](s, `[...document.querySelectorAll("header nav a")].map(a => a.getAttribute("href"))`)
	if !slices.Equal(nav, []string{"/audit"}) {
		t.Errorf("auditor's menu %v", nav)
	}
	if s.count(`#audit tbody tr[data-action="auth.login"]`) == 0 {
		t.Error("audit log shows no login")
	}
	for _, path := range []string{"/today", "/kiosks", "/employees", "/employees/" + s.nips["DINKES"][0], "/users"} {
		if res := s.get(path, s.sessionCookie().Value); res.StatusCode != http.StatusForbidden {
			t.Errorf("auditor at %s: status %d, want 403", path, res.StatusCode)
		}
		s.open(path)
		if s.count(`p[data-status="403"]`) != 1 {
			t.Errorf("auditor at %s: no 403 page", path)
		}
	}
	// Filter and export.
	s.open("/audit?what=auth.login&who=aud")
	if n, all := s.count(`#audit tbody tr[data-action="auth.login"]`), s.count(`#audit tbody tr[data-action]`); n == 0 || n != all {
		t.Errorf("filtered audit log: %d logins in %d rows", n, all)
	}
	res := s.get("/audit.csv?what=auth.login", s.sessionCookie().Value)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("audit CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][3] != "action" {
		t.Fatalf("audit CSV %v %v", recs, err)
	}
	for _, r := range recs[1:] {
		if r[3] != "auth.login" {
			t.Errorf("CSV row outside the filter: %v", r)
		}
	}
}

func testCSRF(s *site) {
	t := s.t
	s.login("admin")
	s.open("/users")
	// The browser posts the real form with its CSRF field removed.
	s.run(chromedp.SetValue(chromedp.ID("uname"), "mallory"), chromedp.SetValue(chromedp.ID("upw"), "mallory-password-1"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action='/users'] input[name=csrf]").remove()`),
		chromedp.Click(chromedp.ID("create-user")), chromedp.WaitVisible(chromedp.CSS(`p[data-status]`)))
	status := eval[string](s, `document.querySelector("p[data-status]").dataset.status`)
	if status != "403" {
		t.Errorf("form without CSRF token: status %q, want 403", status)
	}
	// A wrong token is refused as well.
	s.open("/users")
	s.run(chromedp.SetValue(chromedp.ID("uname"), "mallory"), chromedp.SetValue(chromedp.ID("upw"), "mallory-password-1"),
		chromedp.SetValue(chromedp.CSS("form[action='/users'] input[name=csrf]"), "forged"),
		chromedp.Click(chromedp.ID("create-user")), chromedp.WaitVisible(chromedp.CSS(`p[data-status]`)))
	status = eval[string](s, `document.querySelector("p[data-status]").dataset.status`)
	if status != "403" {
		t.Errorf("form with a forged CSRF token: status %q, want 403", status)
	}
	r := s.Do("GET", "/api/v1/users", s.admin, nil)
	if strings.Contains(string(r.Raw), "mallory") {
		t.Fatal("a user was created by a form without a valid CSRF token")
	}
	// With the token the same form works.
	s.open("/users")
	s.run(chromedp.SetValue(chromedp.ID("uname"), "mallory"), chromedp.SetValue(chromedp.ID("upw"), "mallory-password-1"),
		chromedp.SetValue(chromedp.ID("uunits"), "DINKES"),
		chromedp.Click(chromedp.ID("create-user")), chromedp.WaitVisible(chromedp.CSS(`tr[data-user=mallory]`)))
}

func testAdminPages(s *site) {
	t := s.t
	s.login("admin")
	// Kiosks: the fleet, a code shown once, a revocation.
	s.open("/kiosks?sort=offset&dir=desc")
	ids := eval[[]string](s, `[...document.querySelectorAll("#kiosks tbody tr[data-id]")].map(r => r.dataset.id)`)
	if !slices.Equal(ids, []string{"K2", "K1"}) {
		t.Errorf("kiosks by clock offset, descending: %v", ids)
	}
	s.run(chromedp.Click(chromedp.CSS("details.card summary")), chromedp.SetValue(chromedp.ID("units"), "DINKES"),
		chromedp.Click(chromedp.ID("create-code")), chromedp.WaitVisible(chromedp.ID("code")))
	code := s.text("#code")
	r := s.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": code, "device_id": "K3", "name": "new", "app_version": "0.3.0"})
	s.Want(r, 200, "")
	s.open("/kiosks")
	s.run(chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`tr[data-id=K3] button.danger`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	if s.Do("GET", "/api/v1/roster", r.Str("token"), nil).Status != http.StatusUnauthorized {
		t.Error("revoked kiosk still authenticates")
	}
	// Employees: search, sort, profile, erase with confirmation.
	s.open("/employees?q=citra")
	if n := s.count(`#employees tbody tr[data-nip]`); n != 1 {
		t.Errorf("search citra: %d rows", n)
	}
	s.open("/employees?sort=name&dir=desc")
	names := eval[[]string](s, `[...document.querySelectorAll("#employees tbody tr[data-nip] td:nth-child(2)")].map(c => c.textContent)`)
	if len(names) != 6 || names[0] != "Fajar Nugroho" || names[5] != "Ani Lestari" {
		t.Errorf("employees by name, descending: %v", names)
	}
	victim := s.nips["DINSOS"][1]
	s.open("/employees/" + victim)
	if got := s.text(`dd[data-k=templates]`); got != "1" {
		t.Errorf("templates %q", got)
	}
	if got := s.text("#erase-h + p"); !strings.Contains(got, "kios") {
		t.Errorf("erase confirmation does not say where it erases: %q", got)
	}
	s.run(chromedp.SetValue(chromedp.ID("confirm"), victim), chromedp.Click(chromedp.ID("erase")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	s.Want(s.Do("GET", "/api/v1/employees/"+victim, s.admin, nil), 404, "")
	// Settings: the signature block an admin saves is printed under LB.1.
	s.open("/settings")
	if s.count("#types tbody tr") < 9 {
		t.Error("settings lists fewer than the 9 default exception types")
	}
	s.run(chromedp.SetValue(chromedp.ID("place"), "Bondowoso"), chromedp.SetValue(chromedp.ID("title"), "Kepala BKPSDM"),
		chromedp.SetValue(chromedp.ID("sname"), "Siti Rahmah"), chromedp.SetValue(chromedp.ID("snip"), storetest.NIP(50)),
		chromedp.Click(chromedp.ID("save-signature")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	s.open("/recap/monthly?unit=DINKES&print=1")
	if got := eval[string](s, `document.querySelector(".signature").textContent`); !strings.Contains(got, "Kepala BKPSDM") || !strings.Contains(got, storetest.NIP(50)) {
		t.Errorf("print view signature %q", got)
	}
	// Users: the list sorted, the English option.
	s.open("/users?lang=en")
	if got := s.text("h1"); got != "Users" {
		t.Errorf("English title %q", got)
	}
	s.open("/users?lang=id")
	if got := s.text("h1"); got != "Pengguna" {
		t.Errorf("Indonesian title %q", got)
	}
}

func testLogout(s *site) {
	t := s.t
	s.login("admin")
	ck := s.sessionCookie()
	if ck == nil || !ck.HTTPOnly || string(ck.SameSite) != "Strict" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict", ck)
	}
	var stored string
	stored = eval[string](s, `JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie`)
	if strings.Contains(stored, ck.Value) || strings.Contains(stored, "eyJ") {
		t.Errorf("a credential is readable by page scripts: %s", stored)
	}
	if res := s.get("/today", ck.Value); res.StatusCode != 200 {
		t.Fatalf("session cookie does not work outside the browser: %d", res.StatusCode)
	}
	s.run(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login")))
	res := s.get("/today", ck.Value)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("old session cookie after logout: %d %s, want a redirect to /login", res.StatusCode, res.Header.Get("Location"))
	}
}

// testTwoServers: a second server process on the same database serves
// the session created on the first (cookies are per host, not per port,
// so the browser sends it to both); a logout there ends it on the first.
func testTwoServers(s *site) {
	t := s.t
	b := s.Another()
	mount(t, b)
	s.login("admin")
	ck := s.sessionCookie().Value
	s.run(chromedp.Navigate(b.URL+"/kiosks"), chromedp.WaitReady(chromedp.CSS("main")))
	if p := s.location(); p != "/kiosks" {
		t.Fatalf("session of server A on server B: at %s, want /kiosks", p)
	}
	if n := s.count("#logout"); n != 1 {
		t.Fatalf("server B shows no logged-in page")
	}
	s.run(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login")))
	res := s.get("/kiosks", ck)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("server A after a logout on B: %d %s, want a redirect to /login", res.StatusCode, res.Header.Get("Location"))
	}
}

func testIdle(s *site) {
	t := s.t
	s.login("admin")
	ck := s.sessionCookie().Value
	s.Clock.Advance(31 * time.Minute)
	res := s.get("/kiosks", ck)
	if res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("idle session still served: %d %.200s", res.StatusCode, body)
	}
	s.open("/kiosks")
	if p := s.location(); p != "/login" {
		t.Errorf("idle browser at %s, want /login", p)
	}
	// A session in use every 25 minutes still ends 12 hours after login.
	s.login("admin")
	ck = s.sessionCookie().Value
	for i := range 28 { // 11 h 40 min
		s.Clock.Advance(25 * time.Minute)
		if res := s.get("/kiosks", ck); res.StatusCode != http.StatusOK {
			t.Fatalf("session in use ended after %d minutes: %d", 25*(i+1), res.StatusCode)
		}
	}
	s.Clock.Advance(25 * time.Minute)
	if res := s.get("/kiosks", ck); res.StatusCode != http.StatusSeeOther {
		t.Errorf("session alive past 12 hours: %d", res.StatusCode)
	}
}

// testKeyboard logs in and searches without a mouse: the login form has
// focus on arrival, Tab and Enter do the rest; "/" jumps to the search.
func testKeyboard(s *site) {
	t := s.t
	if _, err := chromedp.Call(s.browser, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	s.run(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.KeyEvent("admin\t"+s.pw["admin"]+"\r"), chromedp.WaitVisible(chromedp.ID("logout")))
	s.open("/employees")
	s.run(chromedp.KeyEvent("/"))
	if id := eval[string](s, "document.activeElement.id"); id != "q" {
		t.Fatalf("\"/\" focused %q, want the search field", id)
	}
	// CDP sends the "/" character event apart from its keydown, so the
	// field may hold it (a real browser drops it): start from empty.
	s.run(chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""`), chromedp.KeyEvent("Budi\r"), chromedp.WaitVisible(chromedp.CSS(`#q[value="Budi"]`)))
	if n := s.count(`#employees tbody tr[data-nip]`); n != 1 || s.location() != "/employees" {
		t.Errorf("keyboard search for Budi: %d rows at %s", n, s.location())
	}
}
