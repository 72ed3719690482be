package api

// PushRequest is POST /events.
type PushRequest struct {
	Events []Event `json:"events"`
}

// Result statuses of POST /events, one per event sent.
const (
	// ResultAccepted: stored now. Reason is set when the event was kept
	// aside (held) for HR review instead of counted; the kiosk is done
	// with it either way.
	ResultAccepted = "accepted"
	// ResultDuplicate: the same event (same device, id and hash) was
	// already stored: re-sending is harmless.
	ResultDuplicate = "duplicate"
	// ResultConflict: the device already sent another event with this
	// id; nothing stored. The kiosk keeps the event for the admin.
	ResultConflict = "conflict"
	// ResultRejected: refused (Reason says why); the kiosk keeps it.
	ResultRejected = "rejected"
)

// Reasons of rejected events.
const (
	ReasonBadJSON        = "bad_json"
	ReasonBadID          = "bad_id"
	ReasonBadKind        = "bad_kind"
	ReasonBadNIP         = "bad_nip"
	ReasonMissingTime    = "missing_time"
	ReasonDeviceMismatch = "device_mismatch"
	ReasonBadSeq         = "bad_seq"
	ReasonMissingHash    = "missing_hash"
	ReasonBadZone        = "bad_zone"
	ReasonBadText        = "bad_text"
	ReasonBadHash        = "bad_hash" // content does not hash to Hash
	ReasonBadMAC         = "bad_mac"  // Hash not authenticated by the device secret
	ReasonIDConflict     = "id_conflict"
)

// Reasons of held (kept-aside) events: stored, never counted by a report
// until HR releases them.
const (
	HeldUnknownNIP   = "unknown_nip"         // no such employee at the event's time
	HeldOtherUnit    = "other_unit"          // the employee was not in the device's units then
	HeldFuture       = "future"              // more than MaxFutureSkew ahead after correction
	HeldAbsurdTime   = "absurd_time"         // before MinEventTime or beyond MaxEventTime
	HeldBeforeDevice = "before_registration" // before the device was first registered
)

// EventResult is the verdict on one event, in the order sent.
type EventResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
}

// ChainReport is the server's check of the device's hash chain around the
// events of one batch. A break is recorded and shown, never a reason to
// refuse events: they are the evidence.
type ChainReport struct {
	OK          bool   `json:"ok"`
	BrokenAtSeq uint64 `json:"broken_at_seq"`
	Message     string `json:"message"`
}

// PushResponse answers POST /events with one result per event.
type PushResponse struct {
	ServerTime string        `json:"server_time"`
	Results    []EventResult `json:"results"`
	Chain      ChainReport   `json:"chain"`
}
