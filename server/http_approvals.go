package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// maxCorrectionAhead: a correction may not claim a time later than now
// plus this (it records what happened, not what will).
const maxCorrectionAhead = 5 * time.Minute

func (s *Server) handleCreateCorrection(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		NIP    string    `json:"nip"`
		Kind   string    `json:"kind"`
		Time   time.Time `json:"time"`
		Reason string    `json:"reason"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	emp, err := s.servicePerson(r, p, req.NIP)
	if err != nil {
		return err
	}
	if req.Kind != KindIn && req.Kind != KindOut {
		return badRequest("kind %q must be in or out", trunc(req.Kind))
	}
	now := s.now().UTC()
	if req.Time.IsZero() || req.Time.After(now.Add(maxCorrectionAhead)) || req.Time.Year() < 2000 {
		return badRequest("time must be an RFC 3339 time in the past")
	}
	d := attendance.DateOf(req.Time, s.cfg.Schedule(emp.Unit).Location())
	if err := inService(emp, d, d); err != nil {
		return err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" || len(req.Reason) > 1000 {
		return badRequest("reason is required (at most 1000 characters)")
	}
	c := Correction{ID: newID(), NIP: emp.NIP, Unit: emp.Unit, Kind: req.Kind, Time: req.Time.UTC(), Reason: req.Reason,
		CreatedBy: p.user.Name, CreatedAt: now}
	c, err = s.store.CreateCorrection(r.Context(), c, AuditEntry{Time: now, Actor: p.actor(), Action: "correction.create",
		Target: c.ID, Remote: p.remote, Detail: fmt.Sprintf("nip=%s kind=%s time=%s", c.NIP, c.Kind, c.Time.Format(time.RFC3339))})
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, M{"correction": c})
	return nil
}

func (s *Server) handleDecideCorrection(approve bool) func(http.ResponseWriter, *http.Request, *principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		c, err := s.store.Correction(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		if !p.canUnit(c.Unit) {
			return forbiddenUnit(c.Unit)
		}
		if c.CreatedBy == p.user.Name {
			return fail(http.StatusForbidden, "own_request", "%v (correction %s)", ErrOwnRequest, c.ID)
		}
		note, err := decisionNote(w, r, !approve)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		verb := map[bool]string{true: "approve", false: "reject"}[approve]
		c, err = s.store.DecideCorrection(r.Context(), c.ID, Decision{Approve: approve, By: p.user.Name, At: now, Note: note},
			AuditEntry{Time: now, Actor: p.actor(), Action: "correction." + verb, Target: c.ID, Remote: p.remote, Detail: "nip=" + c.NIP})
		if err != nil {
			return err
		}
		s.writeJSON(w, http.StatusOK, M{"correction": c})
		return nil
	}
}

// handleApproval decides a manual kiosk event once: a second decision is
// 409 (issue 13 #12), and who/when come from the session and the server
// clock, never from the request.
func (s *Server) handleApproval(approve bool) func(http.ResponseWriter, *http.Request, *principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		id, device := r.PathValue("id"), r.URL.Query().Get("device")
		evs, err := s.store.Events(r.Context(), EventFilter{ID: id, Device: device, Scope: ScopeAll})
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return fail(http.StatusNotFound, "not_found", "event %s not found", trunc(id))
		}
		if len(evs) > 1 {
			// Event ids are unique per device only: a kiosk must not be
			// able to make a decision land on another kiosk's event.
			return fail(http.StatusConflict, "ambiguous_event", "event id %s exists on %d devices; name one with ?device=", trunc(id), len(evs))
		}
		emp, _, err := s.store.Employee(r.Context(), evs[0].NIP)
		if err != nil && p.user.Role != RoleAdmin {
			return forbiddenUnit("(employee " + evs[0].NIP + " not on the roster)")
		}
		if err == nil && !p.canUnit(emp.Unit) {
			return forbiddenUnit(emp.Unit)
		}
		note, err := decisionNote(w, r, false)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		verb := map[bool]string{true: "approve", false: "reject"}[approve]
		e, err := s.store.DecideManualEvent(r.Context(), evs[0].Device, id, Decision{Approve: approve, By: p.user.Name, At: now, Note: note},
			AuditEntry{Time: now, Actor: p.actor(), Action: "manual." + verb, Target: id, Remote: p.remote, Detail: "device=" + evs[0].Device + " nip=" + evs[0].NIP})
		if err != nil {
			return err
		}
		s.writeJSON(w, http.StatusOK, M{"event": e})
		return nil
	}
}

// Approvals queue bounds.
const (
	defaultQueueDays = 31
	maxQueueDays     = 366
)

// handleApprovals is the one queue of exceptions, corrections and manual
// events: scoped to the caller's units, bounded by dates (default the last
// 31 days, at most a year), paged newest first with a cursor.
func (s *Server) handleApprovals(w http.ResponseWriter, r *http.Request, p *principal) error {
	units, err := callerUnits(r, p)
	if err != nil {
		return err
	}
	limit, err := pageLimit(r, 50, 500)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	loc := s.cfg.Schedule("").Location()
	now := s.now()
	to := attendance.DateOf(now, loc).AddDays(1)
	from := to.AddDays(-defaultQueueDays)
	if v := q.Get("to"); v != "" {
		d, err := attendance.ParseDate(v)
		if err != nil {
			return badRequest("to: %v", err)
		}
		to = d.AddDays(1)
	}
	if v := q.Get("from"); v != "" {
		if from, err = attendance.ParseDate(v); err != nil {
			return badRequest("from: %v", err)
		}
	} else if q.Get("to") != "" {
		from = to.AddDays(-defaultQueueDays)
	}
	if !from.Before(to) || from.AddDays(maxQueueDays).Before(to) {
		return badRequest("from %s to %s: want a range of 1 to %d days", from, to.AddDays(-1), maxQueueDays)
	}
	f := ApprovalFilter{Units: units, Limit: limit, State: StatePending,
		From: time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc), To: time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, loc)}
	switch st := q.Get("state"); st {
	case "", StatePending:
	case StateApproved, StateRejected, StateRevoked:
		f.State = st
	case "all":
		f.State = ""
	default:
		return badRequest("state %q must be pending, approved, rejected, revoked or all", trunc(st))
	}
	if k := q.Get("kind"); k != "" {
		for _, one := range strings.Split(k, ",") {
			if !slices.Contains([]string{ItemException, ItemCorrection, ItemManual}, one) {
				return badRequest("kind %q must be exception, correction or manual_event", trunc(one))
			}
			f.Kinds = append(f.Kinds, one)
		}
	}
	if c := q.Get("cursor"); c != "" {
		tns, id, ok := strings.Cut(c, "-")
		n, err := strconv.ParseInt(tns, 10, 64)
		if !ok || err != nil || id == "" {
			return badRequest("cursor %q is not one this server gave", trunc(c))
		}
		f.BeforeTime, f.BeforeID = time.Unix(0, n), id
	}
	items, err := s.store.Approvals(r.Context(), f)
	if err != nil {
		return err
	}
	out := M{"items": nonNilRows(items), "from": from.String(), "to": to.AddDays(-1).String()}
	if len(items) == limit {
		last := items[len(items)-1]
		out["next_cursor"] = fmt.Sprintf("%d-%s", last.Time.UnixNano(), last.ID)
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}
