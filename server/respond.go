package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// TimeFormat is RFC 3339 with nine fraction digits in UTC: fixed width, so
// kiosks can compare server times as strings as well as parse them.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// M is a JSON object response; writeJSON adds "server_time" to it.
type M = map[string]any

// apiError is an error with its HTTP status and machine code, so handlers
// can return it and one place writes the contract's error body.
type apiError struct {
	status int
	code   string
	msg    string
	extra  M
	header http.Header
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// fail builds an apiError with a formatted message.
func fail(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return fail(http.StatusBadRequest, "bad_request", format, args...)
}

// stamp returns the server time for a response body.
func (s *Server) stamp() string { return s.now().UTC().Format(TimeFormat) }

// writeJSON writes v with status. Struct responses carry their own
// ServerTime field; map responses get it added here.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	if m, ok := v.(M); ok {
		if _, set := m["server_time"]; !set {
			m["server_time"] = s.stamp()
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		s.log.Warn("write response", "err", err)
	}
}

// writeError maps any error to the contract's error body. Store errors
// map by sentinel; anything unknown is a 500 whose detail goes to the log,
// not to the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	var dup *DuplicateFaceError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = fail(http.StatusRequestEntityTooLarge, "body_too_large", "request body exceeds %d bytes", mbe.Limit)
	case errors.As(err, &dup):
		ae = &apiError{status: http.StatusConflict, code: "duplicate_face", msg: dup.Error(),
			extra: M{"conflict_nip": dup.Conflict, "conflict_name": dup.Name, "distance": dup.Distance}}
	case errors.Is(err, ErrForbiddenUnit):
		ae = fail(http.StatusForbidden, "forbidden", "%v", err)
	case errors.Is(err, ErrNotFound):
		ae = fail(http.StatusNotFound, "not_found", "%v", err)
	case errors.Is(err, ErrConflict):
		ae = fail(http.StatusConflict, "conflict", "%v", err)
	case errors.Is(err, ErrInvalid):
		ae = fail(http.StatusBadRequest, "bad_request", "%v", err)
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		ae = fail(http.StatusServiceUnavailable, "cancelled", "request cancelled")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = fail(http.StatusInternalServerError, "internal", "internal error (see server log at %s)", s.now().UTC().Format(time.RFC3339))
	}
	body := M{"error": ae.code, "message": ae.msg}
	for k, v := range ae.extra {
		body[k] = v
	}
	for k, vs := range ae.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	s.writeJSON(w, ae.status, body)
}

// decodeJSON reads a JSON body of at most limit bytes into v, refusing
// trailing data. Errors are 400 bad_request (413 when too large).
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("request body is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return badRequest("request body has data after the JSON object")
	}
	return nil
}

// nonNilRows makes an empty list encode as [] rather than null.
func nonNilRows[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}
