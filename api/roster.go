package api

import "time"

// Employee statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Employee is a person on a unit's roster.
type Employee struct {
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Status string `json:"status"`
}

// Quality is how good the frame a template came from was.
type Quality struct {
	FaceWidth   int     `json:"face_width"` // pixels
	Sharpness   float64 `json:"sharpness"`
	Brightness  float64 `json:"brightness"`
	Yaw         float64 `json:"yaw"`
	EyeOpenness float64 `json:"eye_openness"`
}

// Template is one face descriptor on the wire (EncodeDescriptor form).
type Template struct {
	ID         string    `json:"id"`
	Descriptor string    `json:"descriptor"`
	Quality    Quality   `json:"quality"`
	TakenAt    time.Time `json:"taken_at"`
	// Adapted marks a template a kiosk learnt from a confident check-in
	// (template adaptation) rather than enrolled; the server keeps at
	// most MaxAdaptedTemplates of them per person and sends the flag back
	// with the roster, so a kiosk keeps telling them apart.
	Adapted bool `json:"adapted,omitempty"`
}

// RosterChange is one employee's whole current state at a revision, or
// their erasure (Deleted: also sent when they left the device's units).
type RosterChange struct {
	Rev       int64      `json:"rev"`
	NIP       string     `json:"nip"`
	Deleted   bool       `json:"deleted"`
	Employee  *Employee  `json:"employee,omitempty"`
	Templates []Template `json:"templates,omitempty"`
}

// RosterResponse is one page of GET /roster?since=REV&limit=N.
type RosterResponse struct {
	ServerTime string         `json:"server_time"`
	Revision   int64          `json:"revision"` // rev of the last change, else the current one
	More       bool           `json:"more"`
	Changes    []RosterChange `json:"changes"`
}

// EnrollmentRequest is POST /enrollments: an employee enrolled on a
// kiosk, with 1-MaxTemplates templates. A device may create or change
// only employees whose current unit is one of its units.
type EnrollmentRequest struct {
	Employee  Employee   `json:"employee"`
	Templates []Template `json:"templates"`
}

// EnrollmentResponse is the roster revision of the enrollment.
type EnrollmentResponse struct {
	ServerTime string `json:"server_time"`
	Revision   int64  `json:"revision"`
}
