package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

func pathYear(r *http.Request, v string) (int, error) {
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return 0, badRequest("year %q must be between 2000 and 2100", trunc(v))
	}
	return y, nil
}

func (s *Server) handleHolidays(w http.ResponseWriter, r *http.Request, p *principal) error {
	v := r.URL.Query().Get("year")
	if v == "" {
		v = strconv.Itoa(s.now().Year())
	}
	y, err := pathYear(r, v)
	if err != nil {
		return err
	}
	hs, err := s.store.Holidays(r.Context(), y)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"year": y, "holidays": hs})
	return nil
}

func (s *Server) handlePutHolidays(w http.ResponseWriter, r *http.Request, p *principal) error {
	y, err := pathYear(r, r.PathValue("year"))
	if err != nil {
		return err
	}
	var req struct {
		Holidays []attendance.Holiday `json:"holidays"`
	}
	if err := jsonBody(w, r, &req); err != nil {
		return err
	}
	seen := map[attendance.Date]bool{}
	for i, h := range req.Holidays {
		if err := h.Validate(); err != nil {
			return badRequest("holidays[%d]: %v", i, err)
		}
		if h.Date.Year != y {
			return badRequest("holidays[%d]: %s is not in %d", i, h.Date, y)
		}
		if seen[h.Date] {
			return badRequest("holidays[%d]: %s listed twice", i, h.Date)
		}
		seen[h.Date] = true
	}
	now := s.now().UTC()
	err = s.store.PutHolidays(r.Context(), y, req.Holidays, AuditEntry{Time: now, Actor: p.actor(), Action: "calendar.put",
		Target: strconv.Itoa(y), Remote: p.remote, Detail: fmt.Sprintf("%d dates", len(req.Holidays))})
	if err != nil {
		return err
	}
	return s.handleHolidaysOf(w, r, y)
}

func (s *Server) handleHolidaysOf(w http.ResponseWriter, r *http.Request, y int) error {
	hs, err := s.store.Holidays(r.Context(), y)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"year": y, "holidays": hs})
	return nil
}

func (s *Server) handleExceptionTypes(w http.ResponseWriter, r *http.Request, p *principal) error {
	ts, err := s.store.ExceptionTypes(r.Context())
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"version": ts.Version, "types": ts.Types})
	return nil
}

func (s *Server) handlePutExceptionTypes(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Types []attendance.ExceptionType `json:"types"`
	}
	if err := jsonBody(w, r, &req); err != nil {
		return err
	}
	ts := attendance.TypeSet{Types: req.Types}
	if err := ts.Validate(); err != nil {
		return badRequest("%v", err)
	}
	now := s.now().UTC()
	out, err := s.store.PutExceptionTypes(r.Context(), ts, AuditEntry{Time: now, Actor: p.actor(), Action: "exception_types.put", Remote: p.remote,
		Detail: fmt.Sprintf("%d types", len(req.Types))})
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"version": out.Version, "types": out.Types})
	return nil
}

// rosterLine is one refused line of an uploaded roster.
type rosterLine struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// maxRosterBytes bounds an uploaded roster (a 4,000-person unit's month
// is about 4,000 x 31 lines of ~30 bytes).
const maxRosterBytes = 8 << 20

// handlePutRoster reads a unit's shift roster as CSV "nip,date,shift"
// (shift = a shift name of the unit's schedule, or OFF for a day off). Any
// bad line refuses the whole upload, each reported with its line number.
func (s *Server) handlePutShifts(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRosterBytes))
	if err != nil {
		return err
	}
	people, err := s.store.RecapPeople(r.Context(), RecapScope{Unit: unit})
	if err != nil {
		return err
	}
	inUnit := make(map[string]bool, len(people))
	for _, e := range people {
		inUnit[e.NIP] = true
	}
	cfg := s.cfg.Schedule(unit)
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	var entries []ShiftEntry
	var bad []rosterLine
	seen := map[string]int{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad = append(bad, rosterLine{line, err.Error()})
			break
		}
		if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "nip") {
			continue // header
		}
		if len(rec) != 3 {
			bad = append(bad, rosterLine{line, fmt.Sprintf("want 3 fields nip,date,shift, got %d", len(rec))})
			continue
		}
		nip, ds, shift := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		d, derr := attendance.ParseDate(ds)
		e := ShiftEntry{NIP: nip, Date: d}
		switch {
		case !inUnit[nip]:
			bad = append(bad, rosterLine{line, fmt.Sprintf("NIP %q is not an employee of %s", trunc(nip), unit)})
		case derr != nil:
			bad = append(bad, rosterLine{line, derr.Error()})
		case strings.EqualFold(shift, "OFF"):
			e.Off = true
		case !slices.ContainsFunc(cfg.Shifts, func(x attendance.Shift) bool { return x.Name == shift }):
			bad = append(bad, rosterLine{line, fmt.Sprintf("shift %q is not defined in the schedule of %s (or OFF)", trunc(shift), unit)})
		default:
			e.Shift = shift
		}
		key := nip + "|" + ds
		if prev, dup := seen[key]; dup {
			bad = append(bad, rosterLine{line, fmt.Sprintf("%s on %s already given on line %d", nip, ds, prev)})
		}
		seen[key] = line
		entries = append(entries, e)
		if len(bad) >= 100 {
			break
		}
	}
	if len(bad) > 0 {
		s.writeJSON(w, http.StatusBadRequest, M{"error": "bad_request", "message": fmt.Sprintf("roster refused: %d bad lines, nothing stored", len(bad)), "lines": bad})
		return nil
	}
	now := s.now().UTC()
	if err := s.store.PutShifts(r.Context(), unit, entries, AuditEntry{Time: now, Actor: p.actor(), Action: "roster.upload",
		Target: unit, Remote: p.remote, Detail: fmt.Sprintf("%d entries", len(entries))}); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "stored": len(entries)})
	return nil
}

func (s *Server) handleShifts(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit, err := reportUnit(r, p)
	if err != nil {
		return err
	}
	from, to, month, err := s.monthSpan(r)
	if err != nil {
		return err
	}
	es, err := s.store.Shifts(r.Context(), unit, from, to)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "month": month, "entries": es})
	return nil
}

// Setting keys.
const (
	settingRules     = "recap.rules"
	settingSignature = "recap.signature." // + unit ("" = default)
)

// rules returns the regency's rules: exception types plus TK cut and cap.
func (s *Server) rules(r *http.Request) (attendance.Rules, error) {
	var ru attendance.Rules
	raw, err := s.store.Setting(r.Context(), settingRules)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return ru, err
	default:
		if err := json.Unmarshal(raw, &ru); err != nil {
			return ru, fmt.Errorf("stored recap rules: %w", err)
		}
	}
	if ru.Types, err = s.store.ExceptionTypes(r.Context()); err != nil {
		return ru, err
	}
	return ru.WithDefaults(), nil
}

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request, p *principal) error {
	ru, err := s.rules(r)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"tk_cut_percent": ru.TKCutPercent, "monthly_cap_percent": ru.MonthlyCapPercent})
	return nil
}

func (s *Server) handlePutRules(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		TK  *float64 `json:"tk_cut_percent"`
		Cap *float64 `json:"monthly_cap_percent"`
	}
	if err := jsonBody(w, r, &req); err != nil {
		return err
	}
	if req.TK == nil || req.Cap == nil {
		return badRequest("tk_cut_percent and monthly_cap_percent are required")
	}
	ru := attendance.Rules{TKCutPercent: *req.TK, MonthlyCapPercent: *req.Cap}
	if err := ru.ValidateCuts(); err != nil || ru.MonthlyCapPercent == 0 {
		return badRequest("tk_cut_percent must be 0-100 and monthly_cap_percent 0.01-100: %v", err)
	}
	raw, _ := json.Marshal(M{"tk_cut_percent": ru.TKCutPercent, "monthly_cap_percent": ru.MonthlyCapPercent})
	if err := s.store.PutSetting(r.Context(), settingRules, raw, AuditEntry{Time: s.now().UTC(), Actor: p.actor(), Action: "settings.rules",
		Remote: p.remote, Detail: string(raw)}); err != nil {
		return err
	}
	return s.handleRules(w, r, p)
}

// signature returns the signature block of unit (falling back to the
// regency default, then to an empty block).
func (s *Server) signature(r *http.Request, unit string) (Signature, error) {
	var sig Signature
	for _, key := range []string{settingSignature + unit, settingSignature} {
		raw, err := s.store.Setting(r.Context(), key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return sig, err
		}
		return sig, json.Unmarshal(raw, &sig)
	}
	return sig, nil
}

func (s *Server) handleSignature(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit := r.URL.Query().Get("unit")
	if unit != "" && !p.canUnit(unit) {
		return forbiddenUnit(unit)
	}
	sig, err := s.signature(r, unit)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "signature": sig})
	return nil
}

func (s *Server) handlePutSignature(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit := r.URL.Query().Get("unit")
	var sig Signature
	if err := jsonBody(w, r, &sig); err != nil {
		return err
	}
	for k, v := range map[string]string{"place": sig.Place, "title": sig.Title, "name": sig.Name, "nip": sig.NIP} {
		if len(v) > 200 {
			return badRequest("%s is longer than 200 characters", k)
		}
	}
	if sig.NIP != "" && attendance.ValidateNIP(sig.NIP) != nil {
		return badRequest("nip %q is not a valid NIP", trunc(sig.NIP))
	}
	raw, _ := json.Marshal(sig)
	if err := s.store.PutSetting(r.Context(), settingSignature+unit, raw, AuditEntry{Time: s.now().UTC(), Actor: p.actor(),
		Action: "settings.signature", Target: unit, Remote: p.remote}); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"unit": unit, "signature": sig})
	return nil
}

func (s *Server) handlePutService(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := jsonBody(w, r, &req); err != nil {
		return err
	}
	from, err := attendance.ParseDate(req.From)
	if err != nil {
		return badRequest("from: %v", err)
	}
	var to attendance.Date
	if req.To != "" {
		if to, err = attendance.ParseDate(req.To); err != nil {
			return badRequest("to: %v", err)
		}
		if to.Before(from) {
			return badRequest("to %s is before from %s", to, from)
		}
	}
	nip := r.PathValue("nip")
	if err := s.store.PutService(r.Context(), nip, from, to, AuditEntry{Time: s.now().UTC(), Actor: p.actor(), Action: "employee.service",
		Target: nip, Remote: p.remote, Detail: req.From + ".." + req.To}); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"nip": nip, "from": req.From, "to": req.To})
	return nil
}

// monthSpan parses month=YYYY-MM into its first and last date.
func (s *Server) monthSpan(r *http.Request) (attendance.Date, attendance.Date, string, error) {
	v := r.URL.Query().Get("month")
	t, err := time.Parse("2006-01", v)
	if err != nil {
		return attendance.Date{}, attendance.Date{}, "", badRequest("month %q must be YYYY-MM", trunc(v))
	}
	from := attendance.Date{Year: t.Year(), Month: t.Month(), Day: 1}
	return from, attendance.DateOf(time.Date(t.Year(), t.Month()+1, 0, 12, 0, 0, 0, time.UTC), time.UTC), v, nil
}
