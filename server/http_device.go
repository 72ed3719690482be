package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/api"
)

// Device-side endpoints: exactly the kiosk wire contract.

// smallBody bounds the JSON bodies of small requests (device and HR side).
const smallBody = api.SmallBodyBytes

func (s *Server) handleTime(w http.ResponseWriter, r *http.Request, _ *principal) error {
	s.writeJSON(w, http.StatusOK, M{})
	return nil
}

// validDeviceID: 1-128 characters of [0-9A-Za-z_.:-].
func validDeviceID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("_.:-", c) >= 0) {
			return false
		}
	}
	return true
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req api.RegisterRequest
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if !validDeviceID(req.DeviceID) {
		return badRequest("device_id %q must be 1-128 characters of [0-9A-Za-z_.:-]", trunc(req.DeviceID))
	}
	if len(req.Name) > 200 || len(req.AppVersion) > 64 {
		return badRequest("name (200) or app_version (64) too long")
	}
	token, secret := NewToken(), newDeviceSecret()
	d, err := s.store.RegisterDevice(r.Context(), HashSecret(NormalizeCode(req.Code)),
		Device{ID: req.DeviceID, Name: req.Name, AppVersion: req.AppVersion, TokenHash: HashSecret(token), Secret: secret}, s.now())
	switch {
	case errors.Is(err, ErrInvalidCode):
		return fail(http.StatusForbidden, api.CodeInvalidCode, "enrollment code is unknown, already used or expired")
	case errors.Is(err, ErrDeviceExists):
		return fail(http.StatusConflict, api.CodeDeviceExists, "device %s is already registered; revoke it first to register it again", req.DeviceID)
	case err != nil:
		return err
	}
	p.device = &d
	s.audit(r, p, "device.register", d.ID, fmt.Sprintf("name=%q units=%v app=%s", d.Name, d.Units, d.AppVersion))
	s.writeJSON(w, http.StatusOK, api.RegisterResponse{ServerTime: s.stamp(), DeviceID: d.ID, Token: token,
		Secret: api.EncodeSecret(secret), Units: nonNil(d.Units)})
	return nil
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req api.HeartbeatRequest
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if req.Backlog < 0 || math.IsNaN(req.CameraFPS) || req.CameraFPS < 0 {
		return badRequest("backlog and camera_fps must not be negative")
	}
	hb := Heartbeat{
		Received: s.now().UTC(), Backlog: req.Backlog, ClaimedOldest: req.OldestPending.UTC(),
		ClockOffset: time.Duration(req.ClockOffsetNS), CameraFPS: req.CameraFPS,
		FreeDisk: int64(min(req.FreeDiskBytes, math.MaxInt64)), AppVersion: trunc(req.AppVersion), LastError: truncN(req.LastError, 1000),
	}
	hb.ClockFlagged = hb.ClockOffset > MaxClockOffset || hb.ClockOffset < -MaxClockOffset
	hb.OldestPending, hb.BacklogAlert = trustBacklog(p.device, hb, s.cfg.MaxBacklogAge)
	if hb.BacklogAlert != "" {
		s.log.Warn("kiosk backlog claim refused", "device", p.device.ID, "alert", hb.BacklogAlert)
	}
	if err := s.store.SaveHeartbeat(r.Context(), p.device.ID, hb); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{})
	return nil
}

func truncN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, p *principal) error {
	if !p.device.Keyed {
		return fail(http.StatusConflict, api.CodeRekeyRequired, "device %s has no secret yet: POST %s first (this kiosk was registered before event MACs)", p.device.ID, api.PathRekey)
	}
	if err := s.ingest.wait(r.Context()); err != nil {
		return busy("uploads")
	}
	defer s.ingest.release()
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxBatchBytes)
	items, err := DecodeBatch(r.Body, p.device.ID)
	switch {
	case errors.Is(err, ErrBatchTooLarge):
		return fail(http.StatusRequestEntityTooLarge, api.CodeBatchTooLarge, "%v", err)
	case errors.Is(err, ErrBadBatch):
		return badRequest("%v", err)
	case err != nil:
		return err
	}
	now := s.now()
	results := make([]api.EventResult, len(items))
	var good []Event
	var goodIdx []int
	for i := range items {
		it := &items[i]
		results[i] = api.EventResult{ID: it.ID, Status: api.ResultAccepted}
		if it.Reason == "" {
			it.Reason, it.Message = checkEvent(p.device, &it.Event, now)
		}
		if it.Reason != "" {
			results[i].Status, results[i].Reason, results[i].Message = api.ResultRejected, it.Reason, it.Message
			continue
		}
		good = append(good, it.Event)
		goodIdx = append(goodIdx, i)
	}
	chain := ChainReport{OK: true}
	if len(good) > 0 {
		res, err := s.store.IngestEvents(r.Context(), p.device.ID, good, now)
		if err != nil {
			return err
		}
		for j, i := range goodIdx {
			switch {
			case res.Conflict[j]:
				results[i].Status, results[i].Reason = api.ResultConflict, api.ReasonIDConflict
				results[i].Message = fmt.Sprintf("device %s already sent another event with id %s", p.device.ID, good[j].ID)
			case res.Duplicate[j]:
				results[i].Status, results[i].Reason = api.ResultDuplicate, "already stored"
			case res.Held[j] != "":
				results[i].Reason, results[i].Message = res.Held[j], "stored and kept aside for HR review: "+good[j].HeldNote
			}
		}
		chain = res.Chain
		if !chain.OK {
			s.metrics.chainBreak()
			s.log.Warn("hash chain break", "device", p.device.ID, "seq", chain.BrokenAtSeq, "message", chain.Message)
		}
	}
	for _, res := range results {
		s.metrics.event(res.Status)
	}
	s.writeJSON(w, http.StatusOK, api.PushResponse{ServerTime: s.stamp(), Results: results, Chain: chain})
	return nil
}

func (s *Server) handleRoster(w http.ResponseWriter, r *http.Request, p *principal) error {
	since, limit := int64(0), api.DefaultRosterPage
	q := r.URL.Query()
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return badRequest("since %q must be a revision number >= 0", trunc(v))
		}
		since = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("limit %q must be a number >= 1", trunc(v))
		}
		limit = min(n, api.MaxRosterPage)
	}
	page, err := s.store.Roster(r.Context(), since, limit, p.device.Units)
	if err != nil {
		return err
	}
	changes := make([]api.RosterChange, len(page.Changes))
	for i, c := range page.Changes {
		wc := api.RosterChange{Rev: c.Rev, NIP: c.NIP, Deleted: c.Deleted}
		if !c.Deleted {
			e := c.Employee
			wc.Employee = &api.Employee{NIP: e.NIP, Name: e.Name, Unit: e.Unit, Status: e.Status}
			wc.Templates = make([]api.Template, len(c.Templates))
			for j := range c.Templates {
				t := &c.Templates[j]
				wc.Templates[j] = api.Template{ID: t.ID, Descriptor: api.EncodeDescriptor(&t.Descriptor), Quality: t.Quality, TakenAt: t.TakenAt, Adapted: t.Adapted}
			}
		}
		changes[i] = wc
	}
	s.writeJSON(w, http.StatusOK, api.RosterResponse{ServerTime: s.stamp(), Revision: page.Revision, More: page.More, Changes: changes})
	return nil
}

// checkEmployee validates an employee record from a kiosk or the HR side.
func checkEmployee(e *api.Employee) error {
	if err := ValidateNIP(e.NIP); err != nil {
		return badRequest("%v", err)
	}
	e.Name, e.Unit = strings.TrimSpace(e.Name), strings.TrimSpace(e.Unit)
	if e.Name == "" || len(e.Name) > 200 {
		return badRequest("employee name must be 1-200 characters")
	}
	if e.Unit == "" || len(e.Unit) > 100 {
		return badRequest("employee unit must be 1-100 characters")
	}
	switch e.Status {
	case "":
		e.Status = StatusActive
	case StatusActive, StatusInactive:
	default:
		return badRequest("employee status %q must be active or inactive", trunc(e.Status))
	}
	return nil
}

func unitAllowed(units []string, unit string) bool {
	if len(units) == 0 {
		return true
	}
	for _, u := range units {
		if u == unit {
			return true
		}
	}
	return false
}

func (s *Server) handleEnrollment(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req api.EnrollmentRequest
	if err := decodeJSON(w, r, api.EnrollBodyBytes, &req); err != nil {
		return err
	}
	if err := checkEmployee(&req.Employee); err != nil {
		return err
	}
	if !unitAllowed(p.device.Units, req.Employee.Unit) {
		return fail(http.StatusForbidden, api.CodeForbidden, "device %s does not serve unit %s", p.device.ID, req.Employee.Unit)
	}
	if len(req.Templates) < 1 || len(req.Templates) > api.MaxTemplates {
		return badRequest("templates: want 1-%d, got %d", api.MaxTemplates, len(req.Templates))
	}
	tpls := make([]Template, len(req.Templates))
	for i, wt := range req.Templates {
		if !validID(wt.ID) {
			return badRequest("template %d: id %q must be 1-64 characters of [0-9A-Za-z_-]", i, trunc(wt.ID))
		}
		d, err := api.DecodeDescriptor(wt.Descriptor)
		if err != nil {
			return badRequest("template %s: %v", wt.ID, err)
		}
		tpls[i] = Template{ID: wt.ID, Descriptor: d, Quality: wt.Quality, TakenAt: wt.TakenAt.UTC(), Adapted: wt.Adapted}
	}
	if err := checkAdapted(tpls); err != nil {
		return err
	}
	e := Employee{NIP: req.Employee.NIP, Name: req.Employee.Name, Unit: req.Employee.Unit, Status: req.Employee.Status}
	rev, err := s.store.PutEmployee(r.Context(), e, tpls, PutOptions{Units: p.device.Units, Threshold: DuplicateThreshold})
	if err != nil {
		return scopeDuplicate(err, p.device.Units)
	}
	s.audit(r, p, "employee.enroll", e.NIP, fmt.Sprintf("unit=%s templates=%d adapted=%d rev=%d (kiosk)", e.Unit, len(tpls), countAdapted(tpls), rev))
	s.writeJSON(w, http.StatusOK, api.EnrollmentResponse{ServerTime: s.stamp(), Revision: rev})
	return nil
}

// audit records an action; a failure to audit is logged loudly (the action
// already happened and the client must learn its outcome).
func (s *Server) audit(r *http.Request, p *principal, action, target, detail string) {
	err := s.store.Audit(r.Context(), AuditEntry{Time: s.now().UTC(), Actor: p.actor(), Action: action, Target: target, Detail: detail, Remote: p.remote})
	if err != nil {
		s.log.Error("audit log write failed", "action", action, "target", target, "err", err)
	}
}
