package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// Role sets of the leave and recap routes.
var (
	creators  = []Role{RoleAdmin, RoleOperator}           // create requests
	deciders  = []Role{RoleAdmin, RoleHead}               // decide them
	recapters = []Role{RoleAdmin, RoleOperator, RoleHead} // read reports and the queue
)

// exceptionRequest is the body of POST /exceptions (JSON, or the fields of
// a multipart form with the attachment as "document").
type exceptionRequest struct {
	NIP    string `json:"nip"`
	Type   string `json:"type"`
	From   string `json:"from"`
	To     string `json:"to"`
	Time   string `json:"time"`
	Reason string `json:"reason"`
}

// readExceptionRequest reads a JSON or multipart body, the document with
// at most limit bytes.
func readExceptionRequest(w http.ResponseWriter, r *http.Request, limit int64) (exceptionRequest, *Document, error) {
	var req exceptionRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return req, nil, decodeJSON(w, r, smallBody, &req)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+smallBody)
	if err := r.ParseMultipartForm(limit + smallBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return req, nil, fail(http.StatusRequestEntityTooLarge, "document_too_large", "request exceeds %d bytes (document limit %d)", mbe.Limit, limit)
		}
		return req, nil, badRequest("multipart form: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	v := r.MultipartForm.Value
	get := func(k string) string {
		if len(v[k]) > 0 {
			return v[k][0]
		}
		return ""
	}
	req = exceptionRequest{NIP: get("nip"), Type: get("type"), From: get("from"), To: get("to"), Time: get("time"), Reason: get("reason")}
	fhs := r.MultipartForm.File["document"]
	if len(fhs) == 0 {
		return req, nil, nil
	}
	if len(fhs) > 1 {
		return req, nil, badRequest("one document per exception")
	}
	if fhs[0].Size > limit {
		return req, nil, fail(http.StatusRequestEntityTooLarge, "document_too_large", "document %q is %d bytes; the limit is %d", trunc(fhs[0].Filename), fhs[0].Size, limit)
	}
	f, err := fhs[0].Open()
	if err != nil {
		return req, nil, badRequest("document: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return req, nil, badRequest("document: %v", err)
	}
	return req, &Document{Name: fhs[0].Filename, Data: data}, nil
}

// servicePerson returns the employee as the recap sees them, refusing a
// unit the caller does not serve.
func (s *Server) servicePerson(r *http.Request, p *principal, nip string) (RecapPerson, error) {
	if nip == "" {
		return RecapPerson{}, badRequest("nip is required")
	}
	ps, err := s.store.RecapPeople(r.Context(), RecapScope{NIPs: []string{nip}})
	if err != nil {
		return RecapPerson{}, err
	}
	if len(ps) == 0 {
		return RecapPerson{}, fail(http.StatusNotFound, "not_found", "employee %s not found", trunc(nip))
	}
	if !p.canUnit(ps[0].Unit) {
		return RecapPerson{}, forbiddenUnit(ps[0].Unit)
	}
	return ps[0], nil
}

// inService refuses dates outside the person's service period.
func inService(emp RecapPerson, from, to attendance.Date) error {
	switch {
	case emp.Status == StatusInactive:
		return fail(http.StatusUnprocessableEntity, "outside_service", "employee %s is inactive", emp.NIP)
	case !emp.ServiceFrom.IsZero() && from.Before(emp.ServiceFrom):
		return fail(http.StatusUnprocessableEntity, "outside_service", "%s is before the service of %s began (%s)", from, emp.NIP, emp.ServiceFrom)
	case !emp.ServiceTo.IsZero() && emp.ServiceTo.Before(to):
		return fail(http.StatusUnprocessableEntity, "outside_service", "%s is after the service of %s ended (%s)", to, emp.NIP, emp.ServiceTo)
	}
	return nil
}

func (s *Server) handleCreateException(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, doc, err := readExceptionRequest(w, r, DefaultMaxDocumentBytes)
	if err != nil {
		return err
	}
	emp, err := s.servicePerson(r, p, req.NIP)
	if err != nil {
		return err
	}
	types, err := s.store.ExceptionTypes(r.Context())
	if err != nil {
		return err
	}
	typ, err := types.Lookup(req.Type)
	if err != nil || !typ.Active {
		return fail(http.StatusUnprocessableEntity, "unknown_type", "exception type %q is not an active type (see GET /api/v1/exception-types)", trunc(req.Type))
	}
	from, err1 := attendance.ParseDate(req.From)
	to, err2 := attendance.ParseDate(req.To)
	if err := errors.Join(err1, err2); err != nil {
		return badRequest("from/to: %v", err)
	}
	if to.Before(from) {
		return badRequest("to %s is before from %s", to, from)
	}
	if !to.Before(attendance.DateOf(time.Date(from.Year+1, from.Month, from.Day, 12, 0, 0, 0, time.UTC), time.UTC)) {
		return fail(http.StatusUnprocessableEntity, "range_too_long", "%s to %s is longer than one year: split it", from, to)
	}
	if err := inService(emp, from, to); err != nil {
		return err
	}
	switch {
	case typ.Effect.PartDay() && req.Time == "":
		return badRequest("type %s covers part of a day: time (HH:MM) is required", typ.Code)
	case typ.Effect.PartDay() && from != to:
		return badRequest("type %s covers part of one day: from and to must be the same date", typ.Code)
	case !typ.Effect.PartDay() && req.Time != "":
		return badRequest("type %s covers whole days: time must be empty", typ.Code)
	}
	if req.Time != "" {
		if _, err := attendance.ParseClock(req.Time); err != nil {
			return badRequest("time: %v", err)
		}
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" || len(req.Reason) > 1000 {
		return badRequest("reason is required (at most 1000 characters)")
	}
	if doc != nil {
		if doc.Type, err = checkDocument(doc.Name, doc.Data, DefaultMaxDocumentBytes); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	x := ExceptionRecord{ID: newID(), NIP: emp.NIP, Unit: emp.Unit, Type: typ.Code, From: from, To: to, At: req.Time,
		Reason: req.Reason, CreatedBy: p.user.Name, CreatedAt: now, TypesVer: types.Version}
	a := AuditEntry{Time: now, Actor: p.actor(), Action: "exception.create", Target: x.ID, Remote: p.remote,
		Detail: fmt.Sprintf("nip=%s type=%s %s..%s document=%v", x.NIP, x.Type, from, to, doc != nil)}
	x, err = s.store.CreateException(r.Context(), x, doc, a)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusCreated, M{"exception": x})
	return nil
}

// scopedException loads an exception the caller may see.
func (s *Server) scopedException(r *http.Request, p *principal) (ExceptionRecord, error) {
	x, err := s.store.Exception(r.Context(), r.PathValue("id"))
	if err != nil {
		return x, err
	}
	if !p.canUnit(x.Unit) {
		return x, forbiddenUnit(x.Unit)
	}
	return x, nil
}

func (s *Server) handleException(w http.ResponseWriter, r *http.Request, p *principal) error {
	x, err := s.scopedException(r, p)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"exception": x})
	return nil
}

func (s *Server) handleExceptionDocument(w http.ResponseWriter, r *http.Request, p *principal) error {
	x, err := s.scopedException(r, p)
	if err != nil {
		return err
	}
	d, err := s.store.ExceptionDocument(r.Context(), x.ID)
	if err != nil {
		return err
	}
	s.audit(r, p, "exception.document", x.ID, "nip="+x.NIP)
	w.Header().Set("Content-Type", d.Type)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(d.Data)))
	_, err = w.Write(d.Data)
	return err
}

// decisionNote reads the optional {"note": "..."} body of a decision.
func decisionNote(w http.ResponseWriter, r *http.Request, required bool) (string, error) {
	var req struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, smallBody, &req); err != nil {
			return "", err
		}
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > 1000 {
		return "", badRequest("note is longer than 1000 characters")
	}
	if required && req.Note == "" {
		return "", badRequest("note (the reason) is required")
	}
	return req.Note, nil
}

func (s *Server) handleDecideException(approve bool) func(http.ResponseWriter, *http.Request, *principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		x, err := s.scopedException(r, p)
		if err != nil {
			return err
		}
		if x.CreatedBy == p.user.Name {
			return fail(http.StatusForbidden, "own_request", "%v (exception %s)", ErrOwnRequest, x.ID)
		}
		note, err := decisionNote(w, r, !approve)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		verb := map[bool]string{true: "approve", false: "reject"}[approve]
		x, err = s.store.DecideException(r.Context(), x.ID, Decision{Approve: approve, By: p.user.Name, At: now, Note: note},
			AuditEntry{Time: now, Actor: p.actor(), Action: "exception." + verb, Target: x.ID, Remote: p.remote, Detail: "nip=" + x.NIP + " note=" + trunc(note)})
		if err != nil {
			return err
		}
		s.writeJSON(w, http.StatusOK, M{"exception": x})
		return nil
	}
}

func (s *Server) handleRevokeException(w http.ResponseWriter, r *http.Request, p *principal) error {
	x, err := s.scopedException(r, p)
	if err != nil {
		return err
	}
	note, err := decisionNote(w, r, true)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	x, err = s.store.RevokeException(r.Context(), x.ID, Decision{By: p.user.Name, At: now, Note: note},
		AuditEntry{Time: now, Actor: p.actor(), Action: "exception.revoke", Target: x.ID, Remote: p.remote, Detail: "nip=" + x.NIP + " note=" + trunc(note)})
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"exception": x})
	return nil
}

// callerUnits is the unit scope of a listing: the unit asked for (which
// must be the caller's), else all (admin) or the caller's own units.
func callerUnits(r *http.Request, p *principal) ([]string, error) {
	if u := r.URL.Query().Get("unit"); u != "" {
		if !p.canUnit(u) {
			return nil, forbiddenUnit(u)
		}
		return []string{u}, nil
	}
	if p.user.Role == RoleAdmin {
		return nil, nil
	}
	return append([]string{}, p.user.Units...), nil
}

// pageLimit reads limit (default def, at most maxN).
func pageLimit(r *http.Request, def, maxN int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxN {
		return 0, badRequest("limit %q must be between 1 and %d", trunc(v), maxN)
	}
	return n, nil
}

func (s *Server) handleExceptions(w http.ResponseWriter, r *http.Request, p *principal) error {
	units, err := callerUnits(r, p)
	if err != nil {
		return err
	}
	limit, err := pageLimit(r, 100, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ExceptionFilter{Units: units, NIP: q.Get("nip"), Limit: limit}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			return badRequest("offset %q must be a number >= 0", trunc(v))
		}
	}
	for k, d := range map[string]*attendance.Date{"from": &f.From, "to": &f.To} {
		if v := q.Get(k); v != "" {
			if *d, err = attendance.ParseDate(v); err != nil {
				return badRequest("%s: %v", k, err)
			}
		}
	}
	if st := q.Get("state"); st != "" {
		f.States = strings.Split(st, ",")
	}
	xs, err := s.store.Exceptions(r.Context(), f)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{"exceptions": nonNilRows(xs), "offset": f.Offset, "limit": limit})
	return nil
}

// jsonBody is a small helper for decoding settings bodies strictly.
func jsonBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, smallBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("request body: %v", err)
	}
	return nil
}
