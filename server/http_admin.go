package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// canUnit reports whether the user may see or act on unit: admins on all,
// operators and unit heads on their own units (none when they have none:
// an empty list is not "every unit" for a user, unlike for a kiosk).
func (p *principal) canUnit(unit string) bool {
	if p.user == nil {
		return false
	}
	if p.user.Role == RoleAdmin {
		return true
	}
	return (p.user.Role == RoleOperator || p.user.Role == RoleHead) && unit != "" && slices.Contains(p.user.Units, unit)
}

func forbiddenUnit(unit string) *apiError {
	return fail(http.StatusForbidden, "forbidden", "unit %q is not one of yours", unit)
}

func (s *Server) handleCreateCode(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Units []string `json:"units"`
		TTL   string   `json:"ttl"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	ttl := 24 * time.Hour
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 || d > 30*24*time.Hour {
			return badRequest("ttl %q must be a duration between 1s and 720h", trunc(req.TTL))
		}
		ttl = d
	}
	code := NewCode()
	exp := s.now().Add(ttl)
	if err := s.store.CreateCode(r.Context(), HashSecret(NormalizeCode(code)), req.Units, exp, p.actor()); err != nil {
		return err
	}
	s.audit(r, p, "code.create", "", fmt.Sprintf("units=%v ttl=%s", req.Units, ttl))
	s.writeJSON(w, http.StatusCreated, M{"code": code, "expires_at": exp.UTC().Format(time.RFC3339), "units": nonNil(req.Units)})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request, p *principal) error {
	all, err := s.store.Devices(r.Context())
	if err != nil {
		return err
	}
	out := []Device{}
	for _, d := range all {
		if p.user.Role == RoleAdmin || len(d.Units) == 0 || anyUnit(p, d.Units) {
			out = append(out, d)
		}
	}
	s.writeJSON(w, http.StatusOK, M{"devices": out})
	return nil
}

func anyUnit(p *principal, units []string) bool {
	for _, u := range units {
		if p.canUnit(u) {
			return true
		}
	}
	return false
}

func (s *Server) handleRevokeDevice(w http.ResponseWriter, r *http.Request, p *principal) error {
	id := r.PathValue("id")
	if err := s.store.RevokeDevice(r.Context(), id, s.now()); err != nil {
		return err
	}
	s.audit(r, p, "device.revoke", id, "")
	s.writeJSON(w, http.StatusOK, M{"device_id": id, "revoked": true})
	return nil
}

func (s *Server) handleEmployees(w http.ResponseWriter, r *http.Request, p *principal) error {
	unit := r.URL.Query().Get("unit")
	if p.user.Role != RoleAdmin && !p.canUnit(unit) {
		if unit == "" {
			return badRequest("unit is required for an operator")
		}
		return forbiddenUnit(unit)
	}
	es, err := s.store.Employees(r.Context(), unit)
	if err != nil {
		return err
	}
	// q searches (the console's employee search): a NIP prefix or a part
	// of the name, any case; filtered here so a regency's 10,000 people
	// are not sent to find one.
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		lq := strings.ToLower(q)
		es = slices.DeleteFunc(es, func(e Employee) bool {
			return !strings.HasPrefix(e.NIP, q) && !strings.Contains(strings.ToLower(e.Name), lq)
		})
	}
	if es == nil {
		es = []Employee{}
	}
	s.writeJSON(w, http.StatusOK, M{"employees": es})
	return nil
}

// templateInfo is a template as the HR side sees it: never the descriptor.
type templateInfo struct {
	ID      string    `json:"id"`
	Quality Quality   `json:"quality"`
	TakenAt time.Time `json:"taken_at"`
}

func (s *Server) handleEmployee(w http.ResponseWriter, r *http.Request, p *principal) error {
	e, tpls, err := s.store.Employee(r.Context(), r.PathValue("nip"))
	if err != nil {
		return err
	}
	if !p.canUnit(e.Unit) {
		return forbiddenUnit(e.Unit)
	}
	infos := make([]templateInfo, len(tpls))
	for i, t := range tpls {
		infos[i] = templateInfo{ID: t.ID, Quality: t.Quality, TakenAt: t.TakenAt}
	}
	s.writeJSON(w, http.StatusOK, M{"employee": e, "templates": infos})
	return nil
}

func (s *Server) handleDeleteEmployee(w http.ResponseWriter, r *http.Request, p *principal) error {
	nip := r.PathValue("nip")
	rev, err := s.store.DeleteEmployee(r.Context(), nip)
	if err != nil {
		return err
	}
	s.audit(r, p, "employee.delete", nip, fmt.Sprintf("rev=%d", rev))
	s.writeJSON(w, http.StatusOK, M{"nip": nip, "revision": rev})
	return nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	after, limit := int64(0), 500
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return badRequest("after %q must be an entry id >= 0", trunc(v))
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("limit %q must be >= 1", trunc(v))
		}
		limit = min(n, 5000)
	}
	es, err := s.store.AuditLog(r.Context(), after, limit)
	if err != nil {
		return err
	}
	if es == nil {
		es = []AuditEntry{}
	}
	s.audit(r, p, "audit.read", "", fmt.Sprintf("after=%d entries=%d", after, len(es)))
	s.writeJSON(w, http.StatusOK, M{"entries": es})
	return nil
}
