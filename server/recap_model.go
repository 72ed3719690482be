package server

import (
	"context"
	"errors"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// RoleHead is a unit head (kepala): reads the reports of their units and
// decides exceptions and corrections there, but never their own.
const RoleHead Role = "head"

// Decision states of exceptions and corrections. Manual events use the
// Approval* states of the event.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StateRejected = "rejected"
	StateRevoked  = "revoked"
)

// Errors of the leave/correction workflow, wrapped with detail.
var (
	// ErrOverlap: an exception overlaps another live one of the same person.
	ErrOverlap = errors.New("overlaps another exception of this person")
	// ErrDecided: the item was already decided (a decision is final).
	ErrDecided = errors.New("already decided")
	// ErrOwnRequest: the creator of a request tried to decide it.
	ErrOwnRequest = errors.New("a request cannot be decided by the user who created it")
)

// ExceptionRecord is a keterangan (leave, sick note, duty, part-day izin)
// of one employee over a date range, with its decision trail. Every field
// past Reason is server-owned.
type ExceptionRecord struct {
	ID   string          `json:"id"`
	NIP  string          `json:"nip"`
	Name string          `json:"name,omitempty"`
	Unit string          `json:"unit"`
	Type string          `json:"type"`
	From attendance.Date `json:"from"`
	To   attendance.Date `json:"to"` // inclusive
	// At is the time of a part-day exception ("" otherwise).
	At     string `json:"time,omitempty"`
	Reason string `json:"reason"`

	DocName string `json:"document_name,omitempty"`
	DocType string `json:"document_type,omitempty"`
	DocSize int64  `json:"document_size,omitempty"`

	State     string    `json:"state"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Note      string    `json:"decision_note,omitempty"`
	RevokedBy string    `json:"revoked_by,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	TypesVer  int       `json:"types_version"`
}

// Document is an attachment (surat tugas, doctor's note), kept encrypted.
type Document struct {
	Name, Type string
	Data       []byte
}

// Correction is a request to add a missing check-in or check-out ("forgot
// to check out"); once approved it counts like an approved manual event.
type Correction struct {
	ID        string    `json:"id"`
	NIP       string    `json:"nip"`
	Name      string    `json:"name,omitempty"`
	Unit      string    `json:"unit"`
	Kind      string    `json:"kind"` // in or out
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
	State     string    `json:"state"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Note      string    `json:"decision_note,omitempty"`
}

// Decision is an approve/reject by a user, at server time.
type Decision struct {
	Approve bool
	By      string // user name
	At      time.Time
	Note    string
}

// ApprovalItem is one entry of the single approvals queue: an exception,
// a correction or a manual kiosk event.
type ApprovalItem struct {
	Kind       string           `json:"kind"` // exception, correction, manual_event
	ID         string           `json:"id"`
	NIP        string           `json:"nip"`
	Unit       string           `json:"unit"`
	Time       time.Time        `json:"time"` // created (requests) or event time
	State      string           `json:"state"`
	Exception  *ExceptionRecord `json:"exception,omitempty"`
	Correction *Correction      `json:"correction,omitempty"`
	Event      *Event           `json:"event,omitempty"`
}

// Approval item kinds.
const (
	ItemException  = "exception"
	ItemCorrection = "correction"
	ItemManual     = "manual_event"
)

// ApprovalFilter selects a page of the queue, newest first.
type ApprovalFilter struct {
	Units    []string  // nil: all units
	From, To time.Time // item time, [From, To)
	State    string    // pending (default), approved, rejected, revoked or "" for all
	Kinds    []string  // nil: all three
	Limit    int
	// Before is the cursor: items strictly older than (BeforeTime, BeforeID).
	BeforeTime time.Time
	BeforeID   string
}

// ExceptionFilter lists exceptions.
type ExceptionFilter struct {
	Units    []string // nil: all units
	NIP      string
	From, To attendance.Date // overlapping [From, To]; zero: unbounded
	States   []string        // nil: all
	Limit    int
	Offset   int
}

// ShiftEntry is one person's rostered shift on one date ("" with Off for
// a day off).
type ShiftEntry struct {
	NIP   string          `json:"nip"`
	Date  attendance.Date `json:"date"`
	Shift string          `json:"shift,omitempty"`
	Off   bool            `json:"off"`
}

// Signature is the signature block of the XLSX reports of a unit.
type Signature struct {
	Place string `json:"place"` // e.g. "Bondowoso"
	Title string `json:"title"` // e.g. "Kepala Dinas Kesehatan"
	Name  string `json:"name"`
	NIP   string `json:"nip"`
}

// RecapPerson is an employee as the recap needs them.
type RecapPerson struct {
	NIP, Name, Unit, Status string
	// ServiceFrom/To bound the service (zero: unbounded).
	ServiceFrom, ServiceTo attendance.Date
}

// RecapEvent is the slim event the recap reads: nothing but what the day
// rule needs.
type RecapEvent struct {
	NIP      string
	Kind     string
	Time     time.Time
	Approved bool
}

// RecapScope is the set of people of one recap query: a unit, all units
// (Unit ""), or a page of NIPs.
type RecapScope struct {
	Unit string
	NIPs []string
	// NIPFrom and NIPTo, when set, narrow the scope to NIPFrom <= nip <
	// NIPTo: one part of a recap read in parallel.
	NIPFrom, NIPTo string
}

// RecapStore is the persistence of leave, corrections, calendar, rosters
// and the recap's reads. Store embeds it. Writes that change a decision
// carry their audit entry and write it in the same transaction.
type RecapStore interface {
	// ExceptionTypes returns the current list (the defaults until edited).
	ExceptionTypes(ctx context.Context) (attendance.TypeSet, error)
	// PutExceptionTypes replaces the list as the next version; types in
	// use that are left out stay, inactive.
	PutExceptionTypes(ctx context.Context, ts attendance.TypeSet, a AuditEntry) (attendance.TypeSet, error)

	// CreateException stores a pending exception (and its document,
	// encrypted): ErrOverlap, nothing written.
	CreateException(ctx context.Context, x ExceptionRecord, doc *Document, a AuditEntry) (ExceptionRecord, error)
	// Exception returns one exception (ErrNotFound).
	Exception(ctx context.Context, id string) (ExceptionRecord, error)
	// ExceptionDocument returns the decrypted attachment (ErrNotFound).
	ExceptionDocument(ctx context.Context, id string) (Document, error)
	// Exceptions lists exceptions, by start date.
	Exceptions(ctx context.Context, f ExceptionFilter) ([]ExceptionRecord, error)
	// DecideException approves or rejects a pending exception: ErrDecided,
	// ErrOwnRequest.
	DecideException(ctx context.Context, id string, d Decision, a AuditEntry) (ExceptionRecord, error)
	// RevokeException revokes an approved exception (ErrDecided otherwise).
	RevokeException(ctx context.Context, id string, d Decision, a AuditEntry) (ExceptionRecord, error)

	// CreateCorrection stores a pending correction.
	CreateCorrection(ctx context.Context, c Correction, a AuditEntry) (Correction, error)
	// Correction returns one correction (ErrNotFound).
	Correction(ctx context.Context, id string) (Correction, error)
	// DecideCorrection approves or rejects a pending correction.
	DecideCorrection(ctx context.Context, id string, d Decision, a AuditEntry) (Correction, error)
	// DecideManualEvent approves or rejects a pending manual event once:
	// ErrDecided when already decided, ErrConflict when not manual.
	DecideManualEvent(ctx context.Context, device, id string, d Decision, a AuditEntry) (Event, error)
	// Approvals returns a page of the single queue, newest first.
	Approvals(ctx context.Context, f ApprovalFilter) ([]ApprovalItem, error)

	// Holidays returns a year's calendar, seeding the shipped defaults
	// the first time a year is read.
	Holidays(ctx context.Context, year int) ([]attendance.Holiday, error)
	// PutHolidays replaces a year's calendar.
	PutHolidays(ctx context.Context, year int, hs []attendance.Holiday, a AuditEntry) error

	// PutShifts stores roster entries of one unit (replacing the same
	// person and date).
	PutShifts(ctx context.Context, unit string, es []ShiftEntry, a AuditEntry) error
	// Shifts lists a unit's roster entries in [from, to] ("" unit: all).
	Shifts(ctx context.Context, unit string, from, to attendance.Date) ([]ShiftEntry, error)

	// Setting reads a JSON setting (ErrNotFound when unset); PutSetting
	// writes it.
	Setting(ctx context.Context, key string) ([]byte, error)
	PutSetting(ctx context.Context, key string, value []byte, a AuditEntry) error
	// PutService sets an employee's service period (ErrNotFound).
	PutService(ctx context.Context, nip string, from, to attendance.Date, a AuditEntry) error

	// RecapPeople lists the non-deleted employees of scope, by unit and NIP.
	RecapPeople(ctx context.Context, scope RecapScope) ([]RecapPerson, error)
	// RecapEvents streams in, out and manual events of scope with time in
	// [from, to), ordered by NIP then time, and approved corrections as
	// approved manual events of their kind.
	RecapEvents(ctx context.Context, scope RecapScope, from, to time.Time, fn func(RecapEvent) error) error
	// RecapExceptions lists approved exceptions of scope overlapping [from, to].
	RecapExceptions(ctx context.Context, scope RecapScope, from, to attendance.Date) ([]ExceptionRecord, error)
}
