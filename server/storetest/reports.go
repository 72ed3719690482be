package storetest

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

var _ = register("Reports", testReports)

// testReports: the LH, LB.1 and LB.2 of a small unit computed by hand,
// a manual event approved, scoping, CSV, a kiosk backlog, and the
// redirects from the retired /api/v1/reports.

func wib(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rowsByNIP(r Resp, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, x := range r.JSON[key].([]any) {
		m := x.(map[string]any)
		out[m["nip"].(string)] = m
	}
	return out
}

func testReports(t *testing.T, b Backend) {
	// The backlog below is two months old: within the limit here, so that
	// it still excuses (the 14-day default makes it a fleet alert).
	e := Start(t, b, func(c *server.Config) { c.MaxBacklogAge = 365 * 24 * time.Hour })
	op := e.As("op", server.RoleOperator, "DINKES")
	rng := Seed(8)
	for i, name := range []string{"Ani", "Budi", "Citra", "Dewi"} {
		put(t, e, NIP(i+1), name, "DINKES", Templates(rng, 1))
	}
	put(t, e, NIP(9), "Other", "DINSOS", Templates(rng, 1))
	d := e.Register("K1", "DINKES")
	manual := d.chain.Next("manual", NIP(4), wib(t, "2026-10-05 07:25"))
	evs := []map[string]any{
		d.chain.Next("in", NIP(1), wib(t, "2026-10-05 07:45")),
		d.chain.Next("in", NIP(2), wib(t, "2026-10-05 07:20")),
		manual,
		d.chain.Next("sighting", "", wib(t, "2026-10-05 09:00")),
		d.chain.Next("out", NIP(2), wib(t, "2026-10-05 15:00")),
		d.chain.Next("out", NIP(4), wib(t, "2026-10-05 16:05")),
		d.chain.Next("out", NIP(1), wib(t, "2026-10-05 16:10")),
		d.chain.Next("in", NIP(9), wib(t, "2026-10-05 07:00")),
	}
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(evs...)), 200, "")

	r := e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-05", op, nil)
	e.Want(r, 200, "")
	rows := rowsByNIP(r, "rows")
	if len(rows) != 4 {
		t.Fatalf("daily rows %s", r.Raw)
	}
	want := map[string]struct {
		status, code, in, out, late, early string
		cut                                float64
	}{
		NIP(1): {"late", "TL", "07:45:00", "16:10:00", "TL1", "", 0.5},
		NIP(2): {"early_leave", "PSW", "07:20:00", "15:00:00", "", "PSW2", 1},
		NIP(3): {"no_record", "TK", "", "", "", "", 4},
		NIP(4): {"late", "TL", "", "16:05:00", "TL4", "", 2}, // manual not yet approved: no check-in
	}
	for nip, w := range want {
		g := rows[nip]
		lt, _ := g["late_tier"].(string)
		et, _ := g["early_tier"].(string)
		ci, _ := g["check_in"].(string)
		co, _ := g["check_out"].(string)
		if g["status"] != w.status || g["code"] != w.code || ci != w.in || co != w.out || lt != w.late || et != w.early || g["cut_percent"] != w.cut {
			t.Errorf("%s: %v, want %+v", nip, g, w)
		}
	}
	if rows[NIP(1)]["late_minutes"] != 15.0 || rows[NIP(2)]["early_minutes"] != 60.0 {
		t.Errorf("minutes: %v %v", rows[NIP(1)], rows[NIP(2)])
	}

	// Approval of the manual event turns Dewi's day into a full one.
	r = e.Do("GET", "/api/v1/manual-events?unit=DINKES", op, nil)
	if got := r.JSON["events"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != manual["id"] {
		t.Fatalf("pending manual events %s", r.Raw)
	}
	e.Want(e.Do("POST", "/api/v1/manual-events/"+manual["id"].(string)+"/approve", op, nil), 200, "")
	e.Want(e.Do("POST", "/api/v1/manual-events/"+evs[0]["id"].(string)+"/approve", op, nil), 409, "conflict")
	e.Want(e.Do("POST", "/api/v1/manual-events/NOPE/approve", op, nil), 404, "not_found")
	if got := e.Do("GET", "/api/v1/manual-events?unit=DINKES", op, nil).JSON["events"].([]any); len(got) != 0 {
		t.Errorf("still pending after approval: %v", got)
	}
	rows = rowsByNIP(e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-05", op, nil), "rows")
	if g := rows[NIP(4)]; g["status"] != "present" || g["code"] != "H" || g["check_in"] != "07:25:00" {
		t.Errorf("after approval: %v", g)
	}

	// Monthly recap (LB.1).
	r = e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10", op, nil)
	e.Want(r, 200, "")
	month := rowsByNIP(r, "rows")
	workdays := 0
	for d := wib(t, "2026-10-01 12:00"); d.Month() == time.October; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			workdays++
		}
	}
	a := month[NIP(1)]
	if a["work_days"] != float64(workdays) || a["H"] != 1.0 || a["TK"] != float64(workdays-1) || a["tiers"].(map[string]any)["TL1"] != 1.0 {
		t.Errorf("monthly row %v (work days %d)", a, workdays)
	}

	// Person recap (LB.2), scoping, CSV export.
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(2)+"?month=2026-10", op, nil)
	e.Want(r, 200, "")
	if days := r.JSON["days"].([]any); len(days) != 31 {
		t.Errorf("person recap has %d days, want 31", len(days))
	}
	e.Want(e.Do("GET", "/api/v1/recap/person/"+NIP(9)+"?month=2026-10", op, nil), 403, "forbidden")
	e.Want(e.Do("GET", "/api/v1/recap/daily?unit=DINSOS&date=2026-10-05", op, nil), 403, "forbidden")
	r = e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-05&format=csv", op, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv export: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.Raw))).ReadAll()
	if err != nil || len(recs) != 5 || recs[0][1] != "NIP" || recs[0][3] != "Kode" {
		t.Errorf("csv %v %v", recs, err)
	}
	r = e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10&format=csv", op, nil)
	if recs, err := csv.NewReader(strings.NewReader(string(r.Raw))).ReadAll(); err != nil || len(recs) != 5 {
		t.Errorf("monthly csv %d rows %v", len(recs), err)
	}
	for _, path := range []string{"/api/v1/recap/daily?unit=DINKES&date=2026-13-01", "/api/v1/recap/monthly?unit=DINKES&month=10-2026"} {
		e.Want(e.Do("GET", path, op, nil), 400, "bad_request")
	}

	// A kiosk with unsynced events from that morning: nobody is reported
	// absent for that day, they are pending.
	e.Want(e.Do("POST", "/api/v1/devices/heartbeat", d.Token, map[string]any{"backlog": 5, "oldest_pending": wib(t, "2026-10-05 06:00").Format(time.RFC3339)}), 200, "")
	rows = rowsByNIP(e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-05", op, nil), "rows")
	if g := rows[NIP(3)]; g["pending_sync"] != true || g["code"] == "TK" {
		t.Errorf("absent day with a kiosk backlog: %v", g)
	}
	rows = rowsByNIP(e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-02", op, nil), "rows")
	if g := rows[NIP(3)]; g["status"] != "no_record" || g["code"] != "TK" {
		t.Errorf("day before the backlog: %v", g)
	}

	// The retired /api/v1/reports paths lead to the recap with the same
	// query (308 keeps method and credentials on the same host).
	for old, want := range map[string]string{
		"/api/v1/reports/daily?unit=DINKES&date=2026-10-05":   "/api/v1/recap/daily?unit=DINKES&date=2026-10-05",
		"/api/v1/reports/monthly?unit=DINKES&month=2026-10":   "/api/v1/recap/monthly?unit=DINKES&month=2026-10",
		"/api/v1/reports/person/" + NIP(2) + "?month=2026-10": "/api/v1/recap/person/" + NIP(2) + "?month=2026-10",
	} {
		r := e.DoNoRedirect("GET", old, op)
		if r.Status != 308 || r.Header.Get("Location") != want {
			t.Errorf("GET %s: %d Location %q, want 308 to %s", old, r.Status, r.Header.Get("Location"), want)
		}
	}
	aud := e.As("dpo", server.RoleAuditor)
	log := string(e.Do("GET", "/api/v1/audit", aud, nil).Raw)
	for _, w := range []string{"report.export", "manual.approve"} {
		if !strings.Contains(log, w) {
			t.Errorf("audit log lacks %s", w)
		}
	}
}

// DoNoRedirect is a GET that reports a redirect instead of following it.
func (e *Env) DoNoRedirect(method, path, token string) Resp {
	e.T.Helper()
	c := *e.HTTP
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequest(method, e.URL+path, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	res.Body.Close()
	return Resp{Status: res.StatusCode, Header: res.Header}
}
