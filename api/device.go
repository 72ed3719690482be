package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Paths of the device endpoints.
const (
	PathTime      = "/api/v1/time"
	PathRegister  = "/api/v1/devices/register"
	PathRekey     = "/api/v1/devices/rekey"
	PathHeartbeat = "/api/v1/devices/heartbeat"
	PathEvents    = "/api/v1/events"
	PathRoster    = "/api/v1/roster"
	PathEnroll    = "/api/v1/enrollments"
)

// ErrorResponse is the body of every 4xx/5xx answer. Conflict fields are
// set only on a duplicate_face answer about an employee of the caller's
// own units; a match elsewhere is a bare 409.
type ErrorResponse struct {
	ServerTime   string  `json:"server_time"`
	Error        string  `json:"error"`
	Message      string  `json:"message"`
	ConflictNIP  string  `json:"conflict_nip,omitempty"`
	ConflictName string  `json:"conflict_name,omitempty"`
	Distance     float64 `json:"distance,omitempty"`
}

// Error codes a kiosk acts on.
const (
	CodeInvalidCode   = "invalid_code"
	CodeDeviceExists  = "device_exists"
	CodeDeviceRevoked = "device_revoked"
	CodeDuplicateFace = "duplicate_face"
	CodeRekeyRequired = "rekey_required" // POST /events: call PathRekey first
	CodeAlreadyKeyed  = "already_keyed"  // PathRekey: the device has a secret; register again
	CodeForbidden     = "forbidden"
	CodeBatchTooLarge = "batch_too_large"
	CodeBodyTooLarge  = "body_too_large"
)

// RegisterRequest is POST /devices/register: a one-time code for a token.
type RegisterRequest struct {
	Code       string `json:"code"`
	DeviceID   string `json:"device_id"`
	Name       string `json:"name"`
	AppVersion string `json:"app_version"`
}

// RegisterResponse carries the device's credentials, shown once: the
// bearer token and the secret that MACs its events (EventMAC). The kiosk
// keeps both encrypted; the server keeps the token's hash and the secret
// sealed with its key.
type RegisterResponse struct {
	ServerTime string   `json:"server_time"`
	DeviceID   string   `json:"device_id"`
	Token      string   `json:"token"`
	Secret     string   `json:"secret"` // base64, SecretBytes
	Units      []string `json:"units"`
}

// RekeyResponse is POST /devices/rekey: the secret issued, once, to a
// device registered before secrets existed.
type RekeyResponse struct {
	ServerTime string `json:"server_time"`
	Secret     string `json:"secret"` // base64, SecretBytes
}

// SecretBytes is the length of a device secret.
const SecretBytes = 32

// HeartbeatRequest is POST /devices/heartbeat: the kiosk's health.
type HeartbeatRequest struct {
	Backlog int64 `json:"backlog"`
	// OldestPending is the device time of the oldest unsent event. The
	// server clamps it to the device's registration and its newest
	// acknowledged event, and turns a too old claim into a fleet alert.
	OldestPending time.Time `json:"oldest_pending,omitzero"`
	ClockOffsetNS int64     `json:"clock_offset_ns"`
	CameraFPS     float64   `json:"camera_fps"`
	FreeDiskBytes uint64    `json:"free_disk_bytes"`
	AppVersion    string    `json:"app_version"`
	LastError     string    `json:"last_error,omitempty"`
}

// Empty is the body of answers that carry only the server time.
type Empty struct {
	ServerTime string `json:"server_time"`
}

// ErrBadSecret: a device secret that is not base64 of SecretBytes.
var ErrBadSecret = errors.New("bad device secret")

// EncodeSecret is the wire form of a device secret (standard base64).
func EncodeSecret(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// DecodeSecret parses EncodeSecret's form, refusing a wrong length.
func DecodeSecret(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != SecretBytes {
		return nil, fmt.Errorf("%w: want base64 of %d bytes", ErrBadSecret, SecretBytes)
	}
	return b, nil
}
