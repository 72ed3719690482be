package sync

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hadir-id/hadir/api"
)

// Sentinel errors; callers branch on them with errors.Is. Status.LastError
// carries the error's text, and the GUI maps the sentinels to translated
// messages.
var (
	// ErrNotRegistered: the kiosk has no device token yet; an admin must
	// register it with a one-time code.
	ErrNotRegistered = errors.New("device not registered with a server")
	// ErrRevoked: the server revoked this device. Sync stops (the outbox
	// is kept) until the device is registered again.
	ErrRevoked = errors.New("device revoked by the server")
	// ErrUnauthorized: the server does not know the device token (e.g. its
	// database was replaced); register again.
	ErrUnauthorized = errors.New("device token not accepted by the server")
	// ErrInvalidCode: the registration code is wrong, used or expired.
	ErrInvalidCode = errors.New("registration code invalid, used or expired")
	// ErrDeviceExists: this device ID is already registered and active on
	// the server; revoke it there before registering again.
	ErrDeviceExists = errors.New("device already registered on the server")
	// ErrServer: the server answered with a 5xx.
	ErrServer = errors.New("server error")
	// ErrOffline: the server could not be reached (DNS, refused, timeout,
	// connection cut, TLS failure).
	ErrOffline = errors.New("server unreachable")
	// ErrTooLarge: the server refused a request as too large (413).
	ErrTooLarge = errors.New("request too large for the server")
	// ErrBadRequest: the server refused the request's content (400).
	ErrBadRequest = errors.New("request refused by the server")
	// ErrProtocol: the server's answer does not follow the contract (bad
	// JSON, results that do not match the events sent).
	ErrProtocol = errors.New("unexpected answer from the server")
	// ErrRekeyRefused: the server refused to give this kiosk a device
	// secret because it already holds one; register the kiosk again.
	ErrRekeyRefused = errors.New("server refused to re-key this device: register it again")
	// ErrInsecureURL: an http:// server URL that is not loopback; use
	// https (or Options.AllowInsecureHTTP in a lab).
	ErrInsecureURL = errors.New("server URL must use https")
	// ErrDuplicateFace: an enrollment matches another employee's face on
	// the server; see DuplicateFaceError.
	ErrDuplicateFace = errors.New("face already enrolled under another NIP")
)

// APIError is an error answer from the server: the HTTP status and the
// contract's machine code and human message. It unwraps to the matching
// sentinel.
type APIError struct {
	Op      string // what was attempted, e.g. "push events"
	Status  int
	Code    string
	Message string
	env     api.ErrorResponse // the whole error body (conflict details)
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: server answered %d %s", e.Op, e.Status, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap maps the answer to a sentinel.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized && e.Code == api.CodeDeviceRevoked:
		return ErrRevoked
	case e.Status == http.StatusUnauthorized:
		return ErrUnauthorized
	case e.Status == http.StatusForbidden && e.Code == api.CodeInvalidCode:
		return ErrInvalidCode
	case e.Status == http.StatusConflict && e.Code == api.CodeDeviceExists:
		return ErrDeviceExists
	case e.Status == http.StatusConflict && e.Code == api.CodeDuplicateFace:
		return ErrDuplicateFace
	case e.Status == http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case e.Status >= 500:
		return ErrServer
	case e.Status >= 400 && e.Status < 500:
		return ErrBadRequest
	}
	return ErrProtocol
}

// DuplicateFaceError is the server's 409 to an enrollment whose face is
// already enrolled under another NIP; shown to the operator, who decides
// (wrong person in front of the camera, or a duplicate record).
type DuplicateFaceError struct {
	NIP          string  // the NIP being enrolled
	ConflictNIP  string  // the employee the face matched
	ConflictName string  // their name
	Distance     float64 // descriptor distance to their template
	Message      string  // the server's text
}

func (e *DuplicateFaceError) Error() string {
	return fmt.Sprintf("push enrollment %s: face matches %s (%s) at distance %.3f", e.NIP, e.ConflictNIP, e.ConflictName, e.Distance)
}

// Unwrap makes errors.Is(err, ErrDuplicateFace) true.
func (e *DuplicateFaceError) Unwrap() error { return ErrDuplicateFace }
