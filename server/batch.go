package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hadir-id/hadir/api"
)

// ErrBatchTooLarge: more than api.MaxBatchEvents events (413 batch_too_large).
var ErrBatchTooLarge = errors.New("batch too large")

// ErrBadBatch: the body as a whole is unusable (400, nothing stored).
var ErrBadBatch = errors.New("bad batch")

// BatchItem is one decoded event of a batch, or why it was rejected.
// Rejection concerns this event only; the others of the batch go on.
type BatchItem struct {
	ID      string
	Event   Event
	Reason  string // machine code; "" when the event is well-formed
	Message string // human text for Reason
}

// DecodeBatch reads {"events":[...]} and decodes each event on its own, so
// that one malformed event (wrong type, bad NIP, ...) is rejected alone.
// Whole-body problems wrap ErrBadBatch; too many events ErrBatchTooLarge;
// an oversized body returns the reader's *http.MaxBytesError. Events are
// checked against deviceID (the authenticated kiosk).
func DecodeBatch(r io.Reader, deviceID string) ([]BatchItem, error) {
	var body struct {
		Events *[]json.RawMessage `json:"events"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&body); err != nil {
		if isMaxBytes(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: body is not a JSON object {\"events\":[...]}: %v", ErrBadBatch, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if isMaxBytes(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadBatch)
	}
	if body.Events == nil {
		return nil, fmt.Errorf("%w: \"events\" is missing or null", ErrBadBatch)
	}
	raws := *body.Events
	switch {
	case len(raws) == 0:
		return nil, fmt.Errorf("%w: \"events\" is empty", ErrBadBatch)
	case len(raws) > api.MaxBatchEvents:
		return nil, fmt.Errorf("%w: %d events, at most %d per batch", ErrBatchTooLarge, len(raws), api.MaxBatchEvents)
	}
	items := make([]BatchItem, len(raws))
	for i, raw := range raws {
		items[i] = decodeEvent(raw, deviceID)
	}
	return items, nil
}

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func decodeEvent(raw json.RawMessage, deviceID string) BatchItem {
	var it BatchItem
	if err := json.Unmarshal(raw, &it.Event.Event); err != nil { // the wire fields only: server-owned ones are never read
		var idOnly struct {
			ID any `json:"id"`
		}
		_ = json.Unmarshal(raw, &idOnly)
		if s, ok := idOnly.ID.(string); ok {
			it.ID = s
		}
		it.Reason, it.Message = api.ReasonBadJSON, fmt.Sprintf("event is not valid: %v", err)
		return it
	}
	it.ID = it.Event.ID
	it.Reason, it.Message = validateEvent(&it.Event, deviceID)
	return it
}

// validateEvent returns a reason code and message, or "" when e is fine.
func validateEvent(e *Event, deviceID string) (string, string) {
	switch {
	case !validID(e.ID):
		return api.ReasonBadID, fmt.Sprintf("id %q must be 1-64 characters of [0-9A-Za-z_-] (a ULID)", trunc(e.ID))
	case e.Kind != KindIn && e.Kind != KindOut && e.Kind != KindSighting && e.Kind != KindManual:
		return api.ReasonBadKind, fmt.Sprintf("kind %q is not in, out, sighting or manual", trunc(e.Kind))
	case e.NIP == "" && e.Kind != KindSighting:
		return api.ReasonBadNIP, fmt.Sprintf("nip is empty, allowed only for kind sighting (kind %q)", e.Kind)
	case e.Time.IsZero():
		return api.ReasonMissingTime, "time is missing"
	case e.Device != deviceID:
		return api.ReasonDeviceMismatch, fmt.Sprintf("event device %q is not the authenticated device %q", trunc(e.Device), deviceID)
	case e.Seq == 0:
		return api.ReasonBadSeq, "seq must be 1 or more"
	case e.Hash.IsZero():
		return api.ReasonMissingHash, "hash is missing"
	}
	if e.NIP != "" {
		if err := ValidateNIP(e.NIP); err != nil {
			return api.ReasonBadNIP, err.Error()
		}
	}
	if e.Zone != "" && !validZone(e.Zone) {
		return api.ReasonBadZone, fmt.Sprintf("zone %q is not an IANA time zone", trunc(e.Zone))
	}
	for name, v := range map[string]string{"boot_id": e.BootID, "liveness": e.Liveness, "photo_id": e.PhotoID, "operator": e.Operator, "note": e.Note, "zone": e.Zone} {
		if len(v) > api.MaxTextLen || !utf8.ValidString(v) {
			return api.ReasonBadText, fmt.Sprintf("%s is longer than %d bytes or not UTF-8", name, api.MaxTextLen)
		}
	}
	e.Time = e.Time.UTC()
	e.RecordedAt = e.RecordedAt.UTC()
	return "", ""
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

var zones sync.Map // zone name -> bool

func validZone(z string) bool {
	if v, ok := zones.Load(z); ok {
		return v.(bool)
	}
	_, err := time.LoadLocation(z)
	ok := err == nil && z != "Local"
	if ok { // only real zones are cached: the set is bounded
		zones.Store(z, ok)
	}
	return ok
}
