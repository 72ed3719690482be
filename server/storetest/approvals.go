package storetest

import (
	"strings"
	"testing"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

var _ = register("ApprovalsQueue", testApprovalsQueue)
var _ = register("CalendarRostersSettings", testCalendar)

func testApprovalsQueue(t *testing.T, b Backend) {
	e := Start(t, b)
	op := e.As("op", server.RoleOperator, "DINKES")
	head := e.As("kepala", server.RoleHead, "DINKES")
	other := e.As("op2", server.RoleOperator, "DINSOS")
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(16), 1))
	put(t, e, NIP(2), "Budi", "DINKES", Templates(Seed(17), 1))
	d := e.Register("K1", "DINKES")
	manual := d.chain.Next("manual", NIP(2), wib(t, "2026-10-05 07:25"))
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(d.chain.Next("in", NIP(1), wib(t, "2026-10-05 07:20")), manual)), 200, "")
	e.Want(e.Do("POST", "/api/v1/exceptions", op, map[string]any{"nip": NIP(1), "type": "CT", "from": "2026-10-12", "to": "2026-10-12", "reason": "cuti"}), 201, "")
	r := e.Do("POST", "/api/v1/corrections", op, map[string]any{"nip": NIP(1), "kind": "out", "time": wib(t, "2026-10-05 16:05").Format("2006-01-02T15:04:05Z07:00"), "reason": "lupa absen pulang"})
	e.Want(r, 201, "")
	corr := r.JSON["correction"].(map[string]any)["id"].(string)

	// "to" is a date in the regency's zone (WIB): from 17:00 UTC it is
	// already tomorrow there.
	q := "/api/v1/approvals?from=2026-10-01&to=" + e.Clock.Now().In(wib(t, "2026-10-01 00:00").Location()).Format("2006-01-02")
	r = e.Do("GET", q, head, nil)
	e.Want(r, 200, "")
	items := r.JSON["items"].([]any)
	kinds := map[string]bool{}
	for _, it := range items {
		kinds[it.(map[string]any)["kind"].(string)] = true
	}
	if len(items) != 3 || !kinds["exception"] || !kinds["correction"] || !kinds["manual_event"] {
		t.Fatalf("queue %s", r.Raw)
	}
	// Paged: two, then the third through the cursor.
	r = e.Do("GET", q+"&limit=2", head, nil)
	if len(r.JSON["items"].([]any)) != 2 || r.Str("next_cursor") == "" {
		t.Fatalf("page 1 %s", r.Raw)
	}
	r2 := e.Do("GET", q+"&limit=2&cursor="+r.Str("next_cursor"), head, nil)
	if got := r2.JSON["items"].([]any); len(got) != 1 || strings.Contains(string(r.Raw), got[0].(map[string]any)["id"].(string)) {
		t.Fatalf("page 2 %s", r2.Raw)
	}
	// Scoped and bounded.
	if got := e.Do("GET", q, other, nil).JSON["items"].([]any); len(got) != 0 {
		t.Errorf("another unit's operator sees %v", got)
	}
	e.Want(e.Do("GET", q+"&unit=DINKES", other, nil), 403, "forbidden")
	e.Want(e.Do("GET", "/api/v1/approvals?from=2025-01-01&to=2026-10-31", head, nil), 400, "bad_request")
	e.Want(e.Do("GET", "/api/v1/approvals?cursor=zzz", head, nil), 400, "bad_request")
	if got := e.Do("GET", "/api/v1/approvals?from=2026-09-01&to=2026-09-30&kind=manual_event", head, nil).JSON["items"].([]any); len(got) != 0 {
		t.Errorf("September holds %v", got)
	}

	// A manual event is decided once (issue 13 #12: no flip).
	mpath := "/api/v1/manual-events/" + manual["id"].(string)
	r = e.Do("POST", mpath+"/approve", op, nil)
	e.Want(r, 200, "")
	if ev := r.JSON["event"].(map[string]any); ev["approval"] != "approved" || ev["approved_by"] != "op" {
		t.Errorf("approved event %v", ev)
	}
	e.Want(e.Do("POST", mpath+"/reject", op, nil), 409, "conflict")
	e.Want(e.Do("POST", mpath+"/approve", head, nil), 409, "conflict")

	// Corrections: decided by a head, not by their creator, once.
	e.Want(e.Do("POST", "/api/v1/corrections/"+corr+"/approve", op, nil), 403, "forbidden")
	e.Want(e.Do("POST", "/api/v1/corrections/"+corr+"/approve", head, nil), 200, "")
	e.Want(e.Do("POST", "/api/v1/corrections/"+corr+"/reject", head, map[string]any{"note": "x"}), 409, "conflict")
	for _, bad := range []map[string]any{
		{"nip": NIP(1), "kind": "sideways", "time": "2026-10-05T09:00:00Z", "reason": "x"},
		{"nip": NIP(1), "kind": "in", "time": "2099-10-05T09:00:00Z", "reason": "x"},
		{"nip": NIP(1), "kind": "in", "time": "2026-10-05T09:00:00Z", "reason": ""},
	} {
		e.Want(e.Do("POST", "/api/v1/corrections", op, bad), 400, "bad_request")
	}
	// The approved correction is Ani's check-out of 5 October.
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(1)+"?month=2026-10", head, nil)
	e.Want(r, 200, "")
	day := r.JSON["days"].([]any)[4].(map[string]any)
	if day["date"] != "2026-10-05" || day["check_in"] != "07:20:00" || day["check_out"] != "16:05:00" || day["code"] != "H" {
		t.Errorf("5 October after the correction: %v", day)
	}
	if got := e.Do("GET", q, head, nil).JSON["items"].([]any); len(got) != 1 {
		t.Errorf("pending after decisions: %v", got)
	}
}

func testCalendar(t *testing.T, b Backend) {
	e := Start(t, b, func(c *server.Config) { c.Schedule = shiftSchedule(t) })
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "PKM")
	put(t, e, NIP(1), "Ani", "PKM", Templates(Seed(18), 1))
	put(t, e, NIP(2), "Budi", "PKM", Templates(Seed(19), 1))

	r := e.Do("GET", "/api/v1/holidays?year=2026", op, nil)
	e.Want(r, 200, "")
	if !strings.Contains(string(r.Raw), `"2026-08-17"`) || !strings.Contains(string(r.Raw), "cuti_bersama") {
		t.Errorf("2026 defaults %s", r.Raw)
	}
	e.Want(e.Do("PUT", "/api/v1/holidays/2026", op, map[string]any{"holidays": []any{}}), 403, "forbidden")
	for _, bad := range []map[string]any{
		{"date": "2027-01-01", "name": "x", "kind": "libur"},
		{"date": "2026-01-01", "name": "x", "kind": "pesta"},
		{"date": "2026-01-01", "name": "", "kind": "libur"},
	} {
		e.Want(e.Do("PUT", "/api/v1/holidays/2026", admin, map[string]any{"holidays": []any{bad}}), 400, "bad_request")
	}
	e.Want(e.Do("PUT", "/api/v1/holidays/2026", admin, map[string]any{"holidays": []any{map[string]any{"date": "2026-10-06", "name": "Hari jadi kabupaten", "kind": "libur"}}}), 200, "")
	r = e.Do("GET", "/api/v1/holidays?year=2026", op, nil)
	if hs := r.JSON["holidays"].([]any); len(hs) != 1 {
		t.Errorf("after replace %s", r.Raw)
	}

	// Exception types: admin edits; a type left out can no longer be used.
	r = e.Do("GET", "/api/v1/exception-types", op, nil)
	if r.Num("version") != 1 || len(r.JSON["types"].([]any)) != 11 {
		t.Fatalf("types %s", r.Raw)
	}
	e.Want(e.Do("PUT", "/api/v1/exception-types", admin, map[string]any{"types": []any{map[string]any{"code": "tk", "name": "x", "effect": "excused", "active": true}}}), 400, "bad_request")
	r = e.Do("PUT", "/api/v1/exception-types", admin, map[string]any{"types": []any{
		map[string]any{"code": "CT", "name": "Cuti tahunan", "effect": "excused", "active": true},
		map[string]any{"code": "DL", "name": "Dinas luar", "effect": "present", "active": true},
	}})
	e.Want(r, 200, "")
	if r.Num("version") != 2 {
		t.Errorf("version after edit %s", r.Raw)
	}
	e.Want(e.Do("POST", "/api/v1/exceptions", op, map[string]any{"nip": NIP(1), "type": "S", "from": "2026-10-05", "to": "2026-10-05", "reason": "x"}), 422, "unknown_type")

	// Rosters: any bad line refuses the upload, each line reported.
	csv := "nip,date,shift\n" + NIP(1) + ",2026-10-05,night\n" + NIP(9) + ",2026-10-05,night\n" + NIP(2) + ",2026-10-32,night\n" + NIP(2) + ",2026-10-05,disco\n" + NIP(1) + ",2026-10-05,OFF\n"
	r = e.DoType("PUT", "/api/v1/rosters?unit=PKM", op, "text/csv", csv)
	e.Want(r, 400, "bad_request")
	lines := r.JSON["lines"].([]any)
	if len(lines) != 4 || lines[0].(map[string]any)["line"] != 3.0 || lines[3].(map[string]any)["line"] != 6.0 {
		t.Errorf("roster errors %s", r.Raw)
	}
	if got := e.Do("GET", "/api/v1/rosters?unit=PKM&month=2026-10", op, nil).JSON["entries"].([]any); len(got) != 0 {
		t.Errorf("a refused roster stored %v", got)
	}
	e.Want(e.DoType("PUT", "/api/v1/rosters?unit=PKM", op, "text/csv", NIP(1)+",2026-10-05,night\n"+NIP(1)+",2026-10-06,OFF\n"), 200, "")
	if got := e.Do("GET", "/api/v1/rosters?unit=PKM&month=2026-10", op, nil).JSON["entries"].([]any); len(got) != 2 {
		t.Errorf("roster %v", got)
	}
	e.Want(e.DoType("PUT", "/api/v1/rosters?unit=OTHER", op, "text/csv", ""), 403, "forbidden")

	// Rules and signature settings.
	e.Want(e.Do("PUT", "/api/v1/settings/recap", admin, map[string]any{"tk_cut_percent": 101, "monthly_cap_percent": 50}), 400, "bad_request")
	e.Want(e.Do("PUT", "/api/v1/settings/recap", admin, map[string]any{"tk_cut_percent": 3, "monthly_cap_percent": 50}), 200, "")
	if r := e.Do("GET", "/api/v1/settings/recap", op, nil); r.Num("tk_cut_percent") != 3 || r.Num("monthly_cap_percent") != 50 {
		t.Errorf("rules %s", r.Raw)
	}
	sig := map[string]any{"place": "Bondowoso", "title": "Kepala Puskesmas", "name": "dr. Sari", "nip": NIP(5)}
	e.Want(e.Do("PUT", "/api/v1/settings/signature?unit=PKM", admin, sig), 200, "")
	e.Want(e.Do("PUT", "/api/v1/settings/signature?unit=PKM", admin, map[string]any{"nip": "123"}), 400, "bad_request")
	if r := e.Do("GET", "/api/v1/settings/signature?unit=PKM", op, nil); r.JSON["signature"].(map[string]any)["name"] != "dr. Sari" {
		t.Errorf("signature %s", r.Raw)
	}

	// The roster drives the day: Ani works the night shift of 5 October
	// (a Monday) and is off on the 6th, a holiday for everyone else.
	d := e.Register("K1", "PKM")
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(
		d.chain.Next("in", NIP(1), wib(t, "2026-10-05 20:50")), d.chain.Next("out", NIP(1), wib(t, "2026-10-06 07:10")))), 200, "")
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(1)+"?month=2026-10", op, nil)
	days := r.JSON["days"].([]any)
	if d5, d6 := days[4].(map[string]any), days[5].(map[string]any); d5["code"] != "H" || d5["schedule"] != "night" || d6["code"] != "-" {
		t.Errorf("rostered days %v / %v", d5, d6)
	}
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(2)+"?month=2026-10", op, nil)
	if d6 := r.JSON["days"].([]any)[5].(map[string]any); d6["code"] != "L" {
		t.Errorf("holiday for the unrostered %v", d6)
	}
}

// shiftSchedule is the national default plus a puskesmas night shift
// 21:00-07:00, for every unit.
func shiftSchedule(t *testing.T) func(string) *attendance.Config {
	t.Helper()
	src := string(attendance.ExampleTOML()) + `
[[shifts]]
name = "night"
check_in = { from = "18:00", to = "24:00" }
check_out = { from = "00:00", to = "12:00" }

[[shifts.hours]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "21:00"
end = "07:00"
`
	c, err := attendance.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return func(string) *attendance.Config { return c }
}
