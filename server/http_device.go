package server

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Device-side endpoints: exactly the kiosk wire contract.

const (
	smallBody    = 64 << 10
	enrollBody   = 1 << 20
	rosterMax    = 2000
	rosterDefLim = 500
	maxTemplates = 20
)

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
	var req struct {
		Code       string `json:"code"`
		DeviceID   string `json:"device_id"`
		Name       string `json:"name"`
		AppVersion string `json:"app_version"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if !validDeviceID(req.DeviceID) {
		return badRequest("device_id %q must be 1-128 characters of [0-9A-Za-z_.:-]", trunc(req.DeviceID))
	}
	if len(req.Name) > 200 || len(req.AppVersion) > 64 {
		return badRequest("name (200) or app_version (64) too long")
	}
	token := NewToken()
	d, err := s.store.RegisterDevice(r.Context(), HashSecret(NormalizeCode(req.Code)),
		Device{ID: req.DeviceID, Name: req.Name, AppVersion: req.AppVersion, TokenHash: HashSecret(token)}, s.now())
	switch {
	case errors.Is(err, ErrInvalidCode):
		return fail(http.StatusForbidden, "invalid_code", "enrollment code is unknown, already used or expired")
	case errors.Is(err, ErrDeviceExists):
		return fail(http.StatusConflict, "device_exists", "device %s is already registered; revoke it first to register it again", req.DeviceID)
	case err != nil:
		return err
	}
	p.device = &d
	s.audit(r, p, "device.register", d.ID, fmt.Sprintf("name=%q units=%v app=%s", d.Name, d.Units, d.AppVersion))
	s.writeJSON(w, http.StatusOK, M{"device_id": d.ID, "token": token, "units": d.Units})
	return nil
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Backlog       int64     `json:"backlog"`
		OldestPending time.Time `json:"oldest_pending"`
		ClockOffsetNS int64     `json:"clock_offset_ns"`
		CameraFPS     float64   `json:"camera_fps"`
		FreeDiskBytes uint64    `json:"free_disk_bytes"`
		AppVersion    string    `json:"app_version"`
		LastError     string    `json:"last_error"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if req.Backlog < 0 || math.IsNaN(req.CameraFPS) || req.CameraFPS < 0 {
		return badRequest("backlog and camera_fps must not be negative")
	}
	hb := Heartbeat{
		Received: s.now().UTC(), Backlog: req.Backlog, OldestPending: req.OldestPending.UTC(),
		ClockOffset: time.Duration(req.ClockOffsetNS), CameraFPS: req.CameraFPS,
		FreeDisk: int64(min(req.FreeDiskBytes, math.MaxInt64)), AppVersion: trunc(req.AppVersion), LastError: truncN(req.LastError, 1000),
	}
	hb.ClockFlagged = hb.ClockOffset > MaxClockOffset || hb.ClockOffset < -MaxClockOffset
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

// eventResult is one entry of the POST /events response.
type eventResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, p *principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBatchBytes)
	items, err := DecodeBatch(r.Body, p.device.ID)
	switch {
	case errors.Is(err, ErrBatchTooLarge):
		return fail(http.StatusRequestEntityTooLarge, "batch_too_large", "%v", err)
	case errors.Is(err, ErrBadBatch):
		return badRequest("%v", err)
	case err != nil:
		return err
	}
	results := make([]eventResult, len(items))
	var good []Event
	var goodIdx []int
	for i, it := range items {
		results[i] = eventResult{ID: it.ID, Status: "accepted"}
		if it.Reason != "" {
			results[i].Status, results[i].Reason, results[i].Message = "rejected", it.Reason, it.Message
			continue
		}
		good = append(good, it.Event)
		goodIdx = append(goodIdx, i)
	}
	chain := ChainReport{OK: true}
	if len(good) > 0 {
		res, err := s.store.IngestEvents(r.Context(), p.device.ID, good, s.now())
		if err != nil {
			return err
		}
		for j, dup := range res.Duplicate {
			if dup {
				results[goodIdx[j]].Status, results[goodIdx[j]].Reason = "duplicate", "already stored"
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
	s.writeJSON(w, http.StatusOK, struct {
		ServerTime string        `json:"server_time"`
		Results    []eventResult `json:"results"`
		Chain      ChainReport   `json:"chain"`
	}{s.stamp(), results, chain})
	return nil
}

// wireTemplate is a template as kiosks send and receive it.
type wireTemplate struct {
	ID         string    `json:"id"`
	Descriptor string    `json:"descriptor"`
	Quality    Quality   `json:"quality"`
	TakenAt    time.Time `json:"taken_at"`
}

// wireChange is one roster change on the wire.
type wireChange struct {
	Rev       int64          `json:"rev"`
	NIP       string         `json:"nip"`
	Deleted   bool           `json:"deleted"`
	Employee  *wireEmployee  `json:"employee,omitempty"`
	Templates []wireTemplate `json:"templates,omitempty"`
}

type wireEmployee struct {
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Status string `json:"status"`
}

// EncodeDescriptor is the contract's form: base64 (standard) of 128
// little-endian float32.
func EncodeDescriptor(d *[DescriptorLen]float32) string {
	var b [DescriptorLen * 4]byte
	for i, f := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

// DecodeDescriptor parses EncodeDescriptor's form, refusing wrong lengths
// and non-finite values.
func DecodeDescriptor(s string) ([DescriptorLen]float32, error) {
	var d [DescriptorLen]float32
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return d, fmt.Errorf("%w: descriptor is not base64: %v", ErrInvalid, err)
	}
	if len(b) != len(d)*4 {
		return d, fmt.Errorf("%w: descriptor is %d bytes, want %d", ErrInvalid, len(b), len(d)*4)
	}
	for i := range d {
		f := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return d, fmt.Errorf("%w: descriptor value %d is not finite", ErrInvalid, i)
		}
		d[i] = f
	}
	return d, nil
}

func (s *Server) handleRoster(w http.ResponseWriter, r *http.Request, p *principal) error {
	since, limit := int64(0), rosterDefLim
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
		limit = min(n, rosterMax)
	}
	page, err := s.store.Roster(r.Context(), since, limit, p.device.Units)
	if err != nil {
		return err
	}
	changes := make([]wireChange, len(page.Changes))
	for i, c := range page.Changes {
		wc := wireChange{Rev: c.Rev, NIP: c.NIP, Deleted: c.Deleted}
		if !c.Deleted {
			e := c.Employee
			wc.Employee = &wireEmployee{NIP: e.NIP, Name: e.Name, Unit: e.Unit, Status: e.Status}
			wc.Templates = make([]wireTemplate, len(c.Templates))
			for j := range c.Templates {
				t := &c.Templates[j]
				wc.Templates[j] = wireTemplate{ID: t.ID, Descriptor: EncodeDescriptor(&t.Descriptor), Quality: t.Quality, TakenAt: t.TakenAt}
			}
		}
		changes[i] = wc
	}
	s.writeJSON(w, http.StatusOK, struct {
		ServerTime string       `json:"server_time"`
		Revision   int64        `json:"revision"`
		More       bool         `json:"more"`
		Changes    []wireChange `json:"changes"`
	}{s.stamp(), page.Revision, page.More, changes})
	return nil
}

// checkEmployee validates an employee record from a kiosk or the HR side.
func checkEmployee(e *wireEmployee) error {
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
	var req struct {
		Employee  wireEmployee   `json:"employee"`
		Templates []wireTemplate `json:"templates"`
	}
	if err := decodeJSON(w, r, enrollBody, &req); err != nil {
		return err
	}
	if err := checkEmployee(&req.Employee); err != nil {
		return err
	}
	if !unitAllowed(p.device.Units, req.Employee.Unit) {
		return fail(http.StatusForbidden, "forbidden", "device %s does not serve unit %s", p.device.ID, req.Employee.Unit)
	}
	if len(req.Templates) < 1 || len(req.Templates) > maxTemplates {
		return badRequest("templates: want 1-%d, got %d", maxTemplates, len(req.Templates))
	}
	tpls := make([]Template, len(req.Templates))
	for i, wt := range req.Templates {
		if !validID(wt.ID) {
			return badRequest("template %d: id %q must be 1-64 characters of [0-9A-Za-z_-]", i, trunc(wt.ID))
		}
		d, err := DecodeDescriptor(wt.Descriptor)
		if err != nil {
			return badRequest("template %s: %v", wt.ID, err)
		}
		tpls[i] = Template{ID: wt.ID, Descriptor: d, Quality: wt.Quality, TakenAt: wt.TakenAt.UTC()}
	}
	e := Employee{NIP: req.Employee.NIP, Name: req.Employee.Name, Unit: req.Employee.Unit, Status: req.Employee.Status}
	rev, err := s.store.PutEmployee(r.Context(), e, tpls, PutOptions{Threshold: DuplicateThreshold})
	if err != nil {
		return err
	}
	s.audit(r, p, "employee.enroll", e.NIP, fmt.Sprintf("unit=%s templates=%d rev=%d (kiosk)", e.Unit, len(tpls), rev))
	s.writeJSON(w, http.StatusOK, M{"revision": rev})
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
