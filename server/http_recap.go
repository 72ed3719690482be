package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// recapFormat reads format=json|csv|xlsx.
func recapFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return "json", nil
	case "csv", "xlsx":
		return f, nil
	default:
		return "", badRequest("format %q must be json, csv or xlsx", trunc(f))
	}
}

// recapPage cuts people to the JSON page asked for (offset, limit).
func recapPage(r *http.Request, people []RecapPerson) ([]RecapPerson, int, int, error) {
	limit, err := pageLimit(r, 100, 1000)
	if err != nil {
		return nil, 0, 0, err
	}
	off := 0
	if v := r.URL.Query().Get("offset"); v != "" {
		if off, err = strconv.Atoi(v); err != nil || off < 0 {
			return nil, 0, 0, badRequest("offset %q must be a number >= 0", trunc(v))
		}
	}
	off = min(off, len(people))
	return people[off:min(off+limit, len(people))], off, limit, nil
}

func nipsOf(people []RecapPerson) []string {
	out := make([]string, len(people))
	for i, p := range people {
		out[i] = p.NIP
	}
	return out
}

// activePeople lists the active employees of scope.
func (s *Server) activePeople(r *http.Request, scope RecapScope) ([]RecapPerson, error) {
	all, err := s.store.RecapPeople(r.Context(), scope)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(p RecapPerson) bool { return p.Status == StatusInactive }), nil
}

// pagedPeople lists the active people of scope and, for JSON, cuts them
// to the page asked for, narrowing the scope to that page's NIPs so the
// recap reads only their events. CSV and XLSX take the whole scope.
func (s *Server) pagedPeople(r *http.Request, scope RecapScope, format string) (people []RecapPerson, sc RecapScope, total, off, limit int, err error) {
	if people, err = s.activePeople(r, scope); err != nil {
		return nil, scope, 0, 0, 0, err
	}
	total = len(people)
	if format != "json" {
		return people, scope, total, 0, 0, nil
	}
	if people, off, limit, err = recapPage(r, people); err != nil {
		return nil, scope, 0, 0, 0, err
	}
	if len(people) < total {
		scope = RecapScope{NIPs: nipsOf(people)}
	}
	return people, scope, total, off, limit, nil
}

// recapColumns are the LB.1 count columns: the tiers of the schedule and
// the exception types (active ones, plus any inactive one that occurs).
func recapColumns(cfg *attendance.Config, types attendance.TypeSet, rows []RecapMonth) (tiers, excs []string) {
	for _, t := range cfg.LateTiers {
		tiers = append(tiers, t.Name)
	}
	for _, t := range cfg.EarlyTiers {
		tiers = append(tiers, t.Name)
	}
	for _, t := range types.Types {
		used := t.Active
		for i := 0; !used && i < len(rows); i++ {
			used = rows[i].Exceptions[t.Code] > 0
		}
		if used {
			excs = append(excs, t.Code)
		}
	}
	return tiers, excs
}

// handleLB1 is the monthly recap of one unit, or of all units (admins).
func (s *Server) handleLB1(w http.ResponseWriter, r *http.Request, p *principal) error {
	format, err := recapFormat(r)
	if err != nil {
		return err
	}
	unit := r.URL.Query().Get("unit")
	scope := RecapScope{Unit: unit}
	switch {
	case unit == "":
		return badRequest("unit is required (a unit, or all)")
	case unit == "all" && p.user.Role != RoleAdmin:
		return fail(http.StatusForbidden, "forbidden", "only an admin recaps all units; ask for each of your units")
	case unit == "all":
		scope.Unit = ""
	case !p.canUnit(unit):
		return forbiddenUnit(unit)
	}
	cfg := s.cfg.Schedule(scope.Unit)
	from, to, month, err := s.monthRange(r, cfg.Location())
	if err != nil {
		return err
	}
	rules, err := s.rules(r)
	if err != nil {
		return err
	}
	people, scope, total, off, limit, err := s.pagedPeople(r, scope, format)
	if err != nil {
		return err
	}
	var res []recapResult
	if len(people) > 0 {
		if res, err = s.recap(r.Context(), rules, people, scope, from, to, month, false); err != nil {
			return err
		}
	}
	rows := make([]RecapMonth, len(res))
	for i := range res {
		rows[i] = res[i].Month
	}
	tiers, excs := recapColumns(cfg, rules.Types, rows)
	if format == "json" {
		s.writeJSON(w, http.StatusOK, M{"unit": unit, "month": month, "from": from.String(), "to": to.String(),
			"tier_columns": tiers, "exception_columns": excs, "tk_cut_percent": rules.TKCutPercent,
			"monthly_cap_percent": rules.MonthlyCapPercent, "total": total, "offset": off, "limit": limit, "rows": rows})
		return nil
	}
	header := append([]string{"No", "NIP", "Nama", "Unit kerja", "Hari kerja", "H"}, tiers...)
	header = append(append(header, excs...), "TK", "BS", "Potongan (%)")
	sh := sheet{Name: "LB.1", Title: "REKAPITULASI KEHADIRAN BULANAN (LB.1)", Header: header, Unit: unitLabel(unit), Period: monthName(month)}
	for i, m := range rows {
		row := []any{i + 1, m.NIP, m.Name, m.Unit, m.WorkDays, m.Present}
		for _, t := range tiers {
			row = append(row, m.Tiers[t])
		}
		for _, c := range excs {
			row = append(row, m.Exceptions[c])
		}
		sh.Rows = append(sh.Rows, append(row, m.Absent, m.Pending, m.CutPercent))
	}
	return s.exportSheet(w, r, p, sh, unit, month, format, from, to)
}

func unitLabel(unit string) string {
	if unit == "all" {
		return "Semua unit kerja"
	}
	return unit
}

// exportSheet writes a report as CSV or XLSX, audited.
func (s *Server) exportSheet(w http.ResponseWriter, r *http.Request, p *principal, sh sheet, unit, period, format string, from, to attendance.Date) error {
	gen := s.now().In(s.cfg.Schedule(unit).Location())
	sh.Meta = [][2]string{{"Unit kerja", unitLabel(unit)}, {"Periode", sh.Period + " (" + from.String() + " s.d. " + to.String() + ")"},
		{"Dibuat pada", gen.Format("02-01-2006 15:04 MST")}}
	sig, err := s.signature(r, unit)
	if err != nil {
		return err
	}
	sh.Sign = sig
	file := fmt.Sprintf("hadir-%s-%s-%s.%s", sh.Name, unit, period, format)
	s.audit(r, p, "report.export", unit, fmt.Sprintf("%s %s %s", sh.Name, period, format))
	if format == "csv" {
		return writeSheetCSV(w, file, sh)
	}
	return writeSheetXLSX(w, file, sh, gen)
}

// dayCells is a RecapDay's cells in the LH and LB.2.
func dayCells(d RecapDay) []any {
	return []any{d.Code, d.Schedule, d.CheckIn, d.CheckOut, d.LateMinutes, d.EarlyMinutes, d.LateTier, d.EarlyTier, d.CutPercent}
}

var dayHeader = []string{"Kode", "Jadwal", "Masuk", "Pulang", "Terlambat (menit)", "Pulang cepat (menit)", "TL", "PSW", "Potongan (%)"}

// handleLH is the daily report of one unit.
func (s *Server) handleLH(w http.ResponseWriter, r *http.Request, p *principal) error {
	format, err := recapFormat(r)
	if err != nil {
		return err
	}
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	cfg := s.cfg.Schedule(unit)
	date := attendance.DateOf(s.now(), cfg.Location())
	if v := r.URL.Query().Get("date"); v != "" {
		if date, err = attendance.ParseDate(v); err != nil {
			return badRequest("date: %v", err)
		}
	}
	rules, err := s.rules(r)
	if err != nil {
		return err
	}
	scope := RecapScope{Unit: unit}
	people, scope, total, off, limit, err := s.pagedPeople(r, scope, format)
	if err != nil {
		return err
	}
	var res []recapResult
	if len(people) > 0 {
		if res, err = s.recap(r.Context(), rules, people, scope, date, date, date.String()[:7], true); err != nil {
			return err
		}
	}
	rows := make([]RecapDay, len(res))
	for i := range res {
		rows[i] = res[i].Days[0]
	}
	if format == "json" {
		s.writeJSON(w, http.StatusOK, M{"unit": unit, "date": date.String(), "total": total, "offset": off, "limit": limit, "rows": rows})
		return nil
	}
	t := time.Date(date.Year, date.Month, date.Day, 12, 0, 0, 0, time.UTC)
	sh := sheet{Name: "LH", Title: "LAPORAN KEHADIRAN HARIAN (LH)", Unit: unit, Period: hari[t.Weekday()] + ", " + longDate(t),
		Header: append([]string{"No", "NIP", "Nama"}, dayHeader...)}
	for i, d := range rows {
		sh.Rows = append(sh.Rows, append([]any{i + 1, d.NIP, d.Name}, dayCells(d)...))
	}
	return s.exportSheet(w, r, p, sh, unit, date.String(), format, date, date)
}

// handleLB2 is one person's month, day by day.
func (s *Server) handleLB2(w http.ResponseWriter, r *http.Request, p *principal) error {
	format, err := recapFormat(r)
	if err != nil {
		return err
	}
	emp, err := s.servicePerson(r, p, r.PathValue("nip"))
	if err != nil {
		return err
	}
	from, to, month, err := s.monthRange(r, s.cfg.Schedule(emp.Unit).Location())
	if err != nil {
		return err
	}
	rules, err := s.rules(r)
	if err != nil {
		return err
	}
	res, err := s.recap(r.Context(), rules, []RecapPerson{emp}, RecapScope{NIPs: []string{emp.NIP}}, from, to, month, true)
	if err != nil {
		return err
	}
	one := res[0]
	if format == "json" {
		s.writeJSON(w, http.StatusOK, M{"nip": emp.NIP, "name": emp.Name, "unit": emp.Unit, "month": month, "days": one.Days, "summary": one.Month})
		return nil
	}
	sh := sheet{Name: "LB.2", Title: "LAPORAN KEHADIRAN PERORANGAN (LB.2)", Unit: emp.Unit, Period: monthName(month),
		Header: append([]string{"No", "Tanggal", "Hari"}, dayHeader...)}
	for i, d := range one.Days {
		dd, _ := attendance.ParseDate(d.Date)
		sh.Rows = append(sh.Rows, append([]any{i + 1, d.Date, hari[dd.Weekday()]}, dayCells(d)...))
	}
	m := one.Month
	sh.Rows = append(sh.Rows, []any{"", "Jumlah", fmt.Sprintf("H %d, TK %d, BS %d dari %d hari kerja", m.Present, m.Absent, m.Pending, m.WorkDays),
		"", "", "", "", "", "", "", "", m.CutPercent})
	sh.Meta = nil
	if err := s.exportPerson(w, r, p, sh, emp, month, format, from, to); err != nil {
		return err
	}
	return nil
}

// exportPerson is exportSheet with the person named in the meta lines.
func (s *Server) exportPerson(w http.ResponseWriter, r *http.Request, p *principal, sh sheet, emp RecapPerson, month, format string, from, to attendance.Date) error {
	sh.Title += " - " + emp.Name + " (NIP " + emp.NIP + ")"
	return s.exportSheet(w, r, p, sh, emp.Unit, month, format, from, to)
}
