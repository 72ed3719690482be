package server

import (
	"net/http"
	"strings"
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

// retired answers the first API's /api/v1/reports paths,
// whose day rule ignored leave and duty, with a permanent redirect to the
// recap that replaced them (same query; 308 keeps the method and, on the
// same host, the credentials).
func retired(w http.ResponseWriter, r *http.Request, _ *principal) error {
	to := "/api/v1/recap/" + strings.TrimPrefix(r.URL.Path, "/api/v1/reports/")
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	w.Header().Set("Deprecation", "true")
	http.Redirect(w, r, to, http.StatusPermanentRedirect)
	return nil
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
