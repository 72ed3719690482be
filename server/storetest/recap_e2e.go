package storetest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hadir-id/hadir/server"
)

var _ = register("RecapEndToEnd", testRecapEndToEnd)

// lb1Want is one LB.1 line computed by hand.
type lb1Want struct {
	h, tk         int
	tiers, excs   map[string]int
	raw, cut      float64
	capped        bool
	workDaysTotal int
}

// testRecapEndToEnd: a unit of five people with a month of kiosk events
// (on time, late, early, absent, on leave, on duty, sick, part-day izin),
// exceptions created by the operator and decided by the unit head over
// HTTP; the LB.1 in JSON, CSV and XLSX (parsed back) agree with each other
// and with the values computed by hand below.
func testRecapEndToEnd(t *testing.T, b Backend) {
	e := Start(t, b)
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES")
	head := e.As("kepala", server.RoleHead, "DINKES")
	names := []string{"Ani", "Budi", "Citra", "Dewi", "Eko"}
	for i, n := range names {
		put(t, e, NIP(i+1), n, "DINKES", Templates(Seed(uint64(100+i)), 1))
	}
	put(t, e, NIP(9), "Other", "DINSOS", Templates(Seed(99), 1))
	e.Want(e.Do("PUT", "/api/v1/settings/recap", admin, map[string]any{"tk_cut_percent": 4, "monthly_cap_percent": 50}), 200, "")
	e.Want(e.Do("PUT", "/api/v1/settings/signature?unit=DINKES", admin, map[string]any{"place": "Bondowoso", "title": "Kepala Dinas Kesehatan", "name": "dr. Sari", "nip": NIP(8)}), 200, "")

	// October 2026: 22 working days (Thu 1 to Fri 30), no holiday.
	var workdays []time.Time
	for d := wib(t, "2026-10-01 00:00"); d.Month() == time.October; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			workdays = append(workdays, d)
		}
	}
	if len(workdays) != 22 {
		t.Fatalf("%d working days", len(workdays))
	}
	at := func(d time.Time, hm string) time.Time {
		c, _ := time.Parse("15:04", hm)
		return d.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute)
	}
	kiosk := e.Register("K1", "DINKES")
	var batch []map[string]any
	day := func(nip string, d time.Time, in, out string) {
		if in != "" {
			batch = append(batch, kiosk.chain.Next("in", nip, at(d, in)))
		}
		if out != "" {
			batch = append(batch, kiosk.chain.Next("out", nip, at(d, out)))
		}
	}
	for _, d := range workdays {
		n := d.Day()
		day(NIP(1), d, "07:20", "16:40") // Ani: always on time (Friday ends 16:30)
		switch n {                       // Budi
		case 5:
			day(NIP(2), d, "07:45", "16:40") // 15 min late: TL1 0.5 %
		case 6:
			day(NIP(2), d, "08:45", "16:40") // 75 min late: TL3 1.5 %
		case 7, 8: // absent: TK 4 % each (the 7th has a rejected izin)
		case 9:
			day(NIP(2), d, "07:10", "15:50") // Friday, 40 min early: PSW2 1 %
		default:
			day(NIP(2), d, "07:25", "16:35")
		}
		if n < 12 || n > 16 { // Citra: cuti tahunan 12-16
			day(NIP(3), d, "07:00", "16:31")
		}
		if n < 19 || n > 23 { // Dewi: dinas luar 19-23
			day(NIP(4), d, "07:30", "16:30")
		}
		if n == 5 { // Eko: only the 5th, late but with izin datang terlambat until 09:00
			day(NIP(5), d, "08:50", "16:05")
		}
	}
	batch = append(batch, kiosk.chain.Next("in", NIP(9), at(workdays[0], "07:00")))
	e.Want(e.Do("POST", "/api/v1/events", kiosk.Token, Batch(batch...)), 200, "")

	decide := func(nip, typ, from, to, tm, verb string) {
		t.Helper()
		req := map[string]any{"nip": nip, "type": typ, "from": from, "to": to, "reason": "keterangan " + typ}
		if tm != "" {
			req["time"] = tm
		}
		r := e.Do("POST", "/api/v1/exceptions", op, req)
		e.Want(r, 201, "")
		if verb != "" {
			id := r.JSON["exception"].(map[string]any)["id"].(string)
			e.Want(e.Do("POST", "/api/v1/exceptions/"+id+"/"+verb, head, map[string]any{"note": "diperiksa"}), 200, "")
		}
	}
	decide(NIP(2), "I", "2026-10-07", "2026-10-07", "", "reject")
	decide(NIP(3), "CT", "2026-10-12", "2026-10-16", "", "approve")
	decide(NIP(4), "DL", "2026-10-19", "2026-10-23", "", "approve")
	decide(NIP(5), "S", "2026-10-01", "2026-10-02", "", "approve")
	decide(NIP(5), "IDT", "2026-10-05", "2026-10-05", "09:00", "approve")
	decide(NIP(5), "CT", "2026-10-26", "2026-10-30", "", "") // still pending: does not count

	want := map[string]lb1Want{
		NIP(1): {h: 22},
		NIP(2): {h: 20, tk: 2, tiers: map[string]int{"TL1": 1, "TL3": 1, "PSW2": 1}, raw: 0.5 + 1.5 + 1 + 8, cut: 11},
		NIP(3): {h: 17, excs: map[string]int{"CT": 5}},
		NIP(4): {h: 22, excs: map[string]int{"DL": 5}},
		NIP(5): {h: 1, tk: 19, excs: map[string]int{"S": 2, "IDT": 1}, raw: 76, cut: 50, capped: true},
	}

	// JSON.
	r := e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10", op, nil)
	e.Want(r, 200, "")
	rows := r.JSON["rows"].([]any)
	if len(rows) != 5 || r.Num("total") != 5 {
		t.Fatalf("LB.1 rows %s", r.Raw)
	}
	tierCols := strs(r.JSON["tier_columns"])
	excCols := strs(r.JSON["exception_columns"])
	jsonCells := map[string][]float64{}
	for _, x := range rows {
		m := x.(map[string]any)
		nip := m["nip"].(string)
		w := want[nip]
		tiers, excs := m["tiers"].(map[string]any), m["exceptions"].(map[string]any)
		if m["work_days"] != 22.0 || m["H"] != float64(w.h) || m["TK"] != float64(w.tk) || m["BS"] != 0.0 ||
			m["raw_cut_percent"] != w.raw || m["cut_percent"] != w.cut || m["capped"] != w.capped {
			t.Errorf("%s (%s): %v, want %+v", nip, m["name"], m, w)
		}
		for _, c := range tierCols {
			if num(tiers[c]) != float64(w.tiers[c]) {
				t.Errorf("%s %s = %v, want %d", nip, c, tiers[c], w.tiers[c])
			}
		}
		for _, c := range excCols {
			if num(excs[c]) != float64(w.excs[c]) {
				t.Errorf("%s %s = %v, want %d", nip, c, excs[c], w.excs[c])
			}
		}
		cells := []float64{22, float64(w.h)}
		for _, c := range tierCols {
			cells = append(cells, num(tiers[c]))
		}
		for _, c := range excCols {
			cells = append(cells, num(excs[c]))
		}
		jsonCells[nip] = append(cells, float64(w.tk), 0, w.cut)
	}

	// CSV: the same numbers, one line per person.
	r = e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10&format=csv", op, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.Status, r.Raw)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Raw)).ReadAll()
	if err != nil || len(recs) != 6 {
		t.Fatalf("csv %v %v", recs, err)
	}
	wantHeader := append(append(append([]string{"No", "NIP", "Nama", "Unit kerja", "Hari kerja", "H"}, tierCols...), excCols...), "TK", "BS", "Potongan (%)")
	if strings.Join(recs[0], "|") != strings.Join(wantHeader, "|") {
		t.Errorf("csv header %v", recs[0])
	}
	checkLines(t, "csv", recs[1:], jsonCells)

	// XLSX, parsed back: header block, the same table, the signature.
	r = e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10&format=xlsx", op, nil)
	if r.Status != 200 {
		t.Fatalf("xlsx: %d %s", r.Status, r.Raw)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows("LB.1")
	if err != nil {
		t.Fatal(err)
	}
	all := fmt.Sprint(xrows)
	for _, w := range []string{"LB.1", "DINKES", "Oktober 2026", "Dibuat pada", "Mengetahui,", "Kepala Dinas Kesehatan", "dr. Sari", "NIP. " + NIP(8)} {
		if !strings.Contains(all, w) {
			t.Errorf("xlsx lacks %q", w)
		}
	}
	hf, err := f.GetHeaderFooter("LB.1")
	if err != nil || !strings.Contains(hf.OddHeader, "Halaman &P dari &N") {
		t.Errorf("print header %+v %v", hf, err)
	}
	start := -1
	for i, row := range xrows {
		if len(row) > 0 && row[0] == "No" {
			start = i
			break
		}
	}
	if start < 0 || strings.Join(xrows[start], "|") != strings.Join(wantHeader, "|") {
		t.Fatalf("xlsx table header not found: %v", xrows)
	}
	checkLines(t, "xlsx", xrows[start+1:start+6], jsonCells)

	// The operator of another unit gets none of it; all units is an admin's.
	other := e.As("op2", server.RoleOperator, "DINSOS")
	e.Want(e.Do("GET", "/api/v1/recap/monthly?unit=DINKES&month=2026-10", other, nil), 403, "forbidden")
	e.Want(e.Do("GET", "/api/v1/recap/monthly?unit=all&month=2026-10", op, nil), 403, "forbidden")
	r = e.Do("GET", "/api/v1/recap/monthly?unit=all&month=2026-10&limit=2&offset=4", admin, nil)
	if got := r.JSON["rows"].([]any); r.Num("total") != 6 || len(got) != 2 || got[0].(map[string]any)["nip"] != NIP(5) {
		t.Errorf("all units, page 3: %s", r.Raw)
	}
	// LH and LB.2 say the same of a day.
	r = e.Do("GET", "/api/v1/recap/daily?unit=DINKES&date=2026-10-06", op, nil)
	lh := rowsByNIP(r, "rows")
	if g := lh[NIP(2)]; g["code"] != "TL" || g["late_tier"] != "TL3" || g["check_in"] != "08:45:00" || g["cut_percent"] != 1.5 {
		t.Errorf("LH Budi %v", g)
	}
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(3)+"?month=2026-10&format=xlsx", op, nil)
	if r.Status != 200 {
		t.Errorf("LB.2 xlsx %d", r.Status)
	}
	r = e.Do("GET", "/api/v1/recap/person/"+NIP(3)+"?month=2026-10", op, nil)
	if d := r.JSON["days"].([]any)[11].(map[string]any); d["code"] != "CT" || d["date"] != "2026-10-12" {
		t.Errorf("LB.2 Citra 12th %v", d)
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// checkLines compares exported lines (No, NIP, Nama, Unit, numbers...) with
// the numbers of the JSON rows.
func checkLines(t *testing.T, what string, lines [][]string, want map[string][]float64) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("%s: %d lines, want %d", what, len(lines), len(want))
	}
	for _, l := range lines {
		w, ok := want[l[1]]
		if !ok || len(l) != 4+len(w) {
			t.Errorf("%s line %v: want %d numbers", what, l, len(w))
			continue
		}
		for i, v := range w {
			got, err := strconv.ParseFloat(l[4+i], 64)
			if err != nil || got != v {
				t.Errorf("%s %s column %d = %q, want %v", what, l[1], 4+i, l[4+i], v)
			}
		}
	}
}
