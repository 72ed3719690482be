package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// HR side of the device trust boundary: kept-aside events and transfers.

// handleHeldEvents lists kept-aside events for review, scoped like the
// reports: an operator sees those of devices or employees of their units.
// ?review=pending (default) lists the undecided ones, all lists every one.
func (s *Server) handleHeldEvents(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	pendingOnly := true
	switch q.Get("review") {
	case "", "pending":
	case "all":
		pendingOnly = false
	default:
		return badRequest("review %q must be pending or all", trunc(q.Get("review")))
	}
	evs, err := s.store.Events(r.Context(), EventFilter{Scope: ScopeHeld, Device: q.Get("device"), Limit: 5000})
	if err != nil {
		return err
	}
	devs, err := s.store.Devices(r.Context())
	if err != nil {
		return err
	}
	unitsOf := make(map[string][]string, len(devs))
	for _, d := range devs {
		unitsOf[d.ID] = d.Units
	}
	empUnit := map[string]string{}
	out := []Event{}
	for _, e := range evs {
		if pendingOnly && e.Review != "" {
			continue
		}
		if p.user.Role != RoleAdmin {
			if _, ok := empUnit[e.NIP]; !ok && e.NIP != "" {
				if emp, _, err := s.store.Employee(r.Context(), e.NIP); err == nil {
					empUnit[e.NIP] = emp.Unit
				} else {
					empUnit[e.NIP] = ""
				}
			}
			units := append(slices.Clone(unitsOf[e.Device]), empUnit[e.NIP])
			if !slices.ContainsFunc(units, func(u string) bool { return u != "" && p.canUnit(u) }) {
				continue
			}
		}
		out = append(out, e)
	}
	s.writeJSON(w, http.StatusOK, M{"events": out})
	return nil
}

// handleReviewHeld releases (the event counts from now on) or dismisses a
// kept-aside event; admin only, audited, once.
func (s *Server) handleReviewHeld(release bool) func(http.ResponseWriter, *http.Request, *principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		dev, id := r.PathValue("device"), r.PathValue("id")
		var req struct {
			Note string `json:"note"` // optional: the reviewer's reason, audited
		}
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, smallBody, &req); err != nil {
				return err
			}
		}
		if req.Note = strings.TrimSpace(req.Note); len(req.Note) > 1000 {
			return badRequest("note must be at most 1000 characters")
		}
		e, err := s.store.ReviewHeld(r.Context(), dev, id, release, p.actor(), s.now())
		if err != nil {
			return err
		}
		s.audit(r, p, "event."+e.Review, dev+"/"+id, fmt.Sprintf("held=%s nip=%s time=%s note=%q", e.Held, e.NIP, e.Time.Format(time.RFC3339), req.Note))
		s.writeJSON(w, http.StatusOK, M{"event": e})
		return nil
	}
}

// handleTransfer moves an employee to another unit: admin only, audited.
// Kiosks of the old unit erase the person at their next roster pull; the
// unit history keeps their earlier events counted for the old unit.
func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Unit string `json:"unit"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	nip := r.PathValue("nip")
	if err := ValidateNIP(nip); err != nil {
		return badRequest("%v", err)
	}
	req.Unit = strings.TrimSpace(req.Unit)
	if req.Unit == "" || len(req.Unit) > 100 {
		return badRequest("unit must be 1-100 characters")
	}
	rev, from, err := s.store.TransferEmployee(r.Context(), nip, req.Unit, s.now())
	if err != nil {
		return err
	}
	s.audit(r, p, "employee.transfer", nip, fmt.Sprintf("from=%s to=%s rev=%d", from, req.Unit, rev))
	s.writeJSON(w, http.StatusOK, M{"nip": nip, "from": from, "unit": req.Unit, "revision": rev})
	return nil
}
