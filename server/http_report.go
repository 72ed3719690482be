package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// reportUnit reads and authorises the unit parameter.
func reportUnit(r *http.Request, p *principal) (string, error) {
	unit := r.URL.Query().Get("unit")
	if unit == "" {
		return "", badRequest("unit is required")
	}
	if !p.canUnit(unit) {
		return "", forbiddenUnit(unit)
	}
	return unit, nil
}

// monthRange parses month=YYYY-MM into its first and last date, the last
// capped at today (no verdicts for days not begun).
func (s *Server) monthRange(r *http.Request, loc *time.Location) (attendance.Date, attendance.Date, string, error) {
	from, to, v, err := s.monthSpan(r)
	if err != nil {
		return from, to, v, err
	}
	if today := attendance.DateOf(s.now(), loc); today.Before(to) {
		to = today
	}
	if to.Before(from) {
		return from, to, v, badRequest("month %s has not begun", v)
	}
	return from, to, v, nil
}

func wantCSV(r *http.Request) bool { return r.URL.Query().Get("format") == "csv" }

func (s *Server) handleDailyReport(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	loc := s.cfg.Schedule(unit).Location()
	date := attendance.DateOf(s.now(), loc)
	if v := r.URL.Query().Get("date"); v != "" {
		if date, err = attendance.ParseDate(v); err != nil {
			return badRequest("date: %v", err)
		}
	}
	rows, err := s.dayRows(r.Context(), unit, "", date, date)
	if err != nil {
		return err
	}
	if wantCSV(r) {
		s.audit(r, p, "report.export", unit, "daily "+date.String())
		return writeDayCSV(w, fmt.Sprintf("hadir-%s-%s.csv", unit, date), rows)
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "date": date.String(), "rows": nonNilRows(rows)})
	return nil
}

func nonNilRows[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}

func (s *Server) handleMonthlyReport(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	from, to, month, err := s.monthRange(r, s.cfg.Schedule(unit).Location())
	if err != nil {
		return err
	}
	days, err := s.dayRows(r.Context(), unit, "", from, to)
	if err != nil {
		return err
	}
	rows := monthRows(days, month)
	if wantCSV(r) {
		s.audit(r, p, "report.export", unit, "monthly "+month)
		return writeMonthCSV(w, fmt.Sprintf("hadir-%s-%s.csv", unit, month), rows)
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "month": month, "rows": nonNilRows(rows)})
	return nil
}

func (s *Server) handlePersonReport(w http.ResponseWriter, r *http.Request, p *principal) error {
	emp, _, err := s.store.Employee(r.Context(), r.PathValue("nip"))
	if err != nil {
		return err
	}
	if !p.canUnit(emp.Unit) {
		return forbiddenUnit(emp.Unit)
	}
	from, to, month, err := s.monthRange(r, s.cfg.Schedule(emp.Unit).Location())
	if err != nil {
		return err
	}
	days, err := s.dayRows(r.Context(), emp.Unit, emp.NIP, from, to)
	if err != nil {
		return err
	}
	if wantCSV(r) {
		s.audit(r, p, "report.export", emp.NIP, "person "+month)
		return writeDayCSV(w, fmt.Sprintf("hadir-%s-%s.csv", emp.NIP, month), days)
	}
	sum := monthRows(days, month)
	s.writeJSON(w, http.StatusOK, M{"employee": emp, "month": month, "days": nonNilRows(days), "summary": sum[0]})
	return nil
}

func csvHeader(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.WriteHeader(http.StatusOK)
	return csv.NewWriter(w)
}

// csvSafe defuses spreadsheet formulas in free text (CSV injection).
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func writeDayCSV(w http.ResponseWriter, name string, rows []DayRow) error {
	cw := csvHeader(w, name)
	cw.Write([]string{"nip", "name", "unit", "date", "schedule", "status", "check_in", "check_out", "late_minutes", "early_minutes",
		"late_tier", "early_tier", "cut_percent", "unapproved_manual", "pending_sync", "open"})
	for _, d := range rows {
		cw.Write([]string{d.NIP, csvSafe(d.Name), csvSafe(d.Unit), d.Date, d.Schedule, d.Status, d.CheckIn, d.CheckOut,
			strconv.Itoa(d.LateMinutes), strconv.Itoa(d.EarlyMinutes), d.LateTier, d.EarlyTier,
			strconv.FormatFloat(d.CutPercent, 'f', 2, 64), strconv.Itoa(d.Unapproved), strconv.FormatBool(d.PendingSync), strconv.FormatBool(d.Open)})
	}
	cw.Flush()
	return cw.Error()
}

func writeMonthCSV(w http.ResponseWriter, name string, rows []MonthRow) error {
	cw := csvHeader(w, name)
	tiers := []string{"TL1", "TL2", "TL3", "TL4", "PSW1", "PSW2", "PSW3", "PSW4"}
	cw.Write(append([]string{"nip", "name", "unit", "month", "work_days", "present", "late_days", "early_leave_days", "absent",
		"pending_sync_days", "late_minutes", "early_minutes", "unapproved_manual", "cut_percent"}, tiers...))
	for _, m := range rows {
		rec := []string{m.NIP, csvSafe(m.Name), csvSafe(m.Unit), m.Month, strconv.Itoa(m.WorkDays), strconv.Itoa(m.Present),
			strconv.Itoa(m.Late), strconv.Itoa(m.EarlyLeave), strconv.Itoa(m.Absent), strconv.Itoa(m.PendingSync),
			strconv.Itoa(m.LateMinutes), strconv.Itoa(m.EarlyMinutes), strconv.Itoa(m.Unapproved), strconv.FormatFloat(m.CutPercent, 'f', 2, 64)}
		for _, t := range tiers {
			rec = append(rec, strconv.Itoa(m.Tiers[t]))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) handleManualEvents(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "":
		status = ApprovalPending
	case ApprovalPending, ApprovalApproved, ApprovalRejected:
	case "all":
		status = ""
	default:
		return badRequest("status %q must be pending, approved, rejected or all", trunc(status))
	}
	evs, err := s.store.Events(r.Context(), EventFilter{Unit: unit, Kinds: []string{KindManual}, Approval: status, Limit: 5000})
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "events": nonNilRows(evs)})
	return nil
}
