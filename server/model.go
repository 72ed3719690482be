package server

import (
	"fmt"
	"time"

	"github.com/hadir-id/hadir/api"
)

// Device is a registered kiosk. Only the SHA-256 of its token is kept, so a
// database leak does not hand out device credentials.
type Device struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	AppVersion string    `json:"app_version"`
	Units      []string  `json:"units"` // empty: every unit
	TokenHash  []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	// Heartbeat is the latest one received (zero Received: never).
	Heartbeat Heartbeat `json:"heartbeat"`
	// Chain is the state of the device's hash chain as the server saw it.
	Chain DeviceChain `json:"chain"`
	// LastSeen is the server time of the last authenticated request.
	LastSeen time.Time `json:"last_seen,omitzero"`
	// Secret MACs the device's events (api.EventMAC); nil for a kiosk
	// registered before secrets existed, which must re-key. Sealed with
	// the server key at rest, never sent after registration.
	Secret []byte `json:"-"`
	// Keyed reports whether the device holds a secret.
	Keyed bool `json:"keyed"`
	// NewestEvent is the latest device time of an event received from it.
	NewestEvent time.Time `json:"newest_event,omitzero"`
}

// Revoked reports whether an admin revoked the device.
func (d Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// Heartbeat is what a kiosk reports about itself every few minutes, so the
// HR office can tell a kiosk that is offline or falling behind.
type Heartbeat struct {
	Received      time.Time     `json:"received,omitzero"` // server time
	Backlog       int64         `json:"backlog"`
	OldestPending time.Time     `json:"oldest_pending,omitzero"`
	ClockOffset   time.Duration `json:"clock_offset_ns"`
	CameraFPS     float64       `json:"camera_fps"`
	FreeDisk      int64         `json:"free_disk_bytes"`
	AppVersion    string        `json:"app_version"`
	LastError     string        `json:"last_error,omitempty"`
	// ClockFlagged: |ClockOffset| > MaxClockOffset.
	ClockFlagged bool `json:"clock_flagged"`
	// ClaimedOldest is the oldest_pending the kiosk sent; OldestPending
	// is what the server trusts of it: clamped to the device's
	// registration and its newest received event, and the receipt time
	// (excusing nothing earlier) when the claim is older than the
	// backlog limit, which raises BacklogAlert for the fleet view.
	ClaimedOldest time.Time `json:"claimed_oldest,omitzero"`
	BacklogAlert  string    `json:"backlog_alert,omitempty"`
}

// DefaultMaxBacklogAge is how far back a kiosk's backlog claim may reach
// before it becomes a fleet alert instead of marking days "pending sync".
const DefaultMaxBacklogAge = 14 * 24 * time.Hour

// MaxClockOffset is the device clock error beyond which a heartbeat or
// an event is flagged.
const MaxClockOffset = api.MaxClockOffset

// DeviceChain is the server's view of a kiosk's event hash chain. A break
// is recorded and shown, never used to reject events: the events are the
// evidence, the flag tells an auditor where to look.
type DeviceChain struct {
	HeadSeq  uint64 `json:"head_seq"` // highest seq received
	Breaks   int64  `json:"breaks"`   // breaks seen so far
	BrokenAt uint64 `json:"broken_at_seq,omitempty"`
	Message  string `json:"message,omitempty"` // the first break's description
}

// Hash is a SHA-256 event hash, hex in JSON like the kiosk writes it.
type Hash = api.Hash

// Event kinds as the kiosk writes them.
const (
	KindIn       = api.KindIn
	KindOut      = api.KindOut
	KindSighting = api.KindSighting
	KindManual   = api.KindManual
)

// Approval states of manual events (others are always ApprovalNone).
const (
	ApprovalNone     = ""
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
)

// Event is one attendance record as stored on the server: the kiosk's
// wire event, verbatim, plus what only the server sets: the receipt time,
// the clock-corrected time, the kept-aside state and, for manual events,
// the supervisor's decision.
type Event struct {
	api.Event

	ReceivedAt time.Time `json:"received_at,omitzero"`
	// CorrectedTime is Time plus the kiosk's measured ClockOffset: the
	// server's best estimate of when it happened (reports use it).
	CorrectedTime time.Time `json:"corrected_time,omitzero"`
	// ClockFlagged: |ClockOffset| > MaxClockOffset when it was recorded.
	ClockFlagged bool `json:"clock_flagged,omitempty"`
	// Held is why the event is kept aside (an api.Held* code), "" when it
	// counts. Held events are stored but listed only for HR review.
	Held string `json:"held,omitempty"`
	// HeldNote explains Held; Released tells who released or dismissed it.
	HeldNote string `json:"held_note,omitempty"`
	// Review is HR's decision on a held event ("", ReviewReleased: it
	// counts from now on, ReviewDismissed), by whom and when.
	Review     string    `json:"review,omitempty"`
	ReviewedBy string    `json:"reviewed_by,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`

	Approval   string    `json:"approval,omitempty"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// ChainReport is the hash-chain verdict returned for one uploaded batch.
type ChainReport = api.ChainReport

// Review decisions on held events.
const (
	ReviewReleased  = "released"
	ReviewDismissed = "dismissed"
)

// IngestResult says, per input event in order, whether it was already
// stored (Duplicate: same device, id and hash), clashes with a stored
// event of the same device and id (Conflict), or was stored but kept
// aside (Held: the reason), and what the chain check found.
type IngestResult struct {
	Duplicate []bool
	Conflict  []bool
	Held      []string
	Chain     ChainReport
}

// Employee statuses.
const (
	StatusActive   = api.StatusActive
	StatusInactive = api.StatusInactive
)

// Employee is a person on the roster of a unit.
type Employee struct {
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Status string `json:"status"`
	// Rev is the roster revision of the employee's last change.
	Rev int64 `json:"rev,omitempty"`
	// Templates counts the employee's templates (listing only).
	Templates int `json:"templates,omitempty"`
}

// DescriptorLen is the number of float32 in a dlib face descriptor.
const DescriptorLen = api.DescriptorLen

// Quality is how good the frame a template came from was.
type Quality = api.Quality

// Template is one face descriptor of an employee. It is biometric data:
// encrypted at rest and never logged (String hides the descriptor).
type Template struct {
	ID         string
	Descriptor [DescriptorLen]float32
	Quality    Quality
	TakenAt    time.Time
	// Photo is the source image (photo API only), encrypted at rest and
	// never sent to kiosks.
	Photo []byte
	// Adapted: learnt by a kiosk from a check-in (api.Template.Adapted).
	Adapted bool
}

// String hides the descriptor and photo.
func (t Template) String() string {
	return fmt.Sprintf("Template{ID:%s TakenAt:%s}", t.ID, t.TakenAt.Format(time.RFC3339))
}

// GoString hides the descriptor from %#v as well.
func (t Template) GoString() string { return t.String() }

// RosterChange is one employee's full current state at a revision, or
// their erasure (Deleted).
type RosterChange struct {
	Rev       int64
	NIP       string
	Deleted   bool
	Employee  Employee
	Templates []Template
}

// RosterPage is one page of roster changes.
type RosterPage struct {
	Changes []RosterChange
	// Revision: rev of the last change returned, else the current revision.
	Revision int64
	More     bool
}

// PutOptions controls PutEmployee's unit scope and duplicate-face check.
type PutOptions struct {
	// Units the caller serves: when set, an existing employee whose
	// current unit is not one of them is refused (ErrForbiddenUnit), in
	// the same transaction as the write. Empty: any unit (admin, CLI).
	Units []string
	// Threshold: a template closer than this to any template of another
	// NIP is a duplicate. Zero disables the check.
	Threshold float64
}

// DuplicateThreshold is the contract's duplicate-face distance.
const DuplicateThreshold = 0.42

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin    Role = "admin"    // everything
	RoleOperator Role = "operator" // reports, approvals, photos of own units
	RoleAuditor  Role = "auditor"  // read-only audit log
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleOperator || r == RoleAuditor || r == RoleHead
}

// User is a person who logs in to the HR side of the server.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Units        []string  `json:"units"` // operator: the units they serve
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled"`
}

// AuditEntry is one recorded administrative action.
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"` // "user:NAME", "cli", "device:ID"
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Remote string    `json:"remote,omitempty"`
}

// EventFilter selects stored events for reports and approvals.
type EventFilter struct {
	ID       string    // one event ("" = all)
	Device   string    // one device's events ("" = all)
	Scope    Scope     // counted (default), held or all
	Unit     string    // employees of this unit ("" = all)
	NIP      string    // one person ("" = all)
	From, To time.Time // device time, [From, To)
	Kinds    []string  // nil = all kinds
	Approval string    // "" = any
	Limit    int       // 0 = no limit
}

// Scope selects events by their kept-aside state.
type Scope int

// Scopes of EventFilter.
const (
	ScopeCounted Scope = iota // events reports count: not held, or released
	ScopeHeld                 // kept-aside events, whatever their review
	ScopeAll
)

// Stats feeds /metrics with numbers that must be the same whichever server
// process is scraped.
type Stats struct {
	Devices, DevicesRevoked int64
	ClockFlagged            int64
	ChainBreaks             int64
	Backlog                 int64
	Events                  int64
	PendingApprovals        int64
	Employees, Templates    int64
	Revision                int64
}
