package server

import (
	"context"
	"time"

	"github.com/hadir-id/hadir/recognition"
)

// Store is everything the HTTP layer needs from persistence. It is defined
// here, where it is consumed; server/sqlite and server/postgres implement it
// and server/storetest checks both against the same suite. Every method is
// safe for concurrent use, and for use by several server processes sharing
// one database.
type Store interface {
	// Ping checks the database is reachable (/healthz).
	Ping(ctx context.Context) error
	// CheckKey records the key fingerprint on first use and afterwards
	// returns ErrWrongKey when another key is presented.
	CheckKey(ctx context.Context, fingerprint []byte) error
	// Close releases the database.
	Close() error

	// CreateCode stores a one-time enrollment code (by its SHA-256).
	CreateCode(ctx context.Context, codeHash []byte, units []string, expires time.Time, createdBy string) error
	// RegisterDevice consumes a code and registers (or re-registers a
	// revoked) device with the given token hash. ErrInvalidCode,
	// ErrDeviceExists; on error the code stays unused.
	RegisterDevice(ctx context.Context, codeHash []byte, d Device, now time.Time) (Device, error)
	// DeviceByToken finds a device by token hash (ErrNotFound).
	DeviceByToken(ctx context.Context, tokenHash []byte) (Device, error)
	// Devices lists all devices.
	Devices(ctx context.Context) ([]Device, error)
	// RevokeDevice revokes a device's credential (ErrNotFound).
	RevokeDevice(ctx context.Context, id string, now time.Time) error
	// RekeyDevice gives a secret to a device registered before secrets
	// existed (ErrConflict when it already has one, or is revoked).
	RekeyDevice(ctx context.Context, id string, secret []byte) error
	// SaveHeartbeat stores a device's latest heartbeat.
	SaveHeartbeat(ctx context.Context, deviceID string, hb Heartbeat) error
	// IngestEvents stores the events not stored yet (by device and id)
	// with receipt time now, keeps aside (Held) those whose NIP was not in
	// the device's units at the event's time, checks the device's hash
	// chain, and reports per event whether it was a duplicate, a conflict
	// or held. Events must be validated, authenticated and belong to
	// deviceID; Held may be preset. One transaction.
	IngestEvents(ctx context.Context, deviceID string, events []Event, now time.Time) (IngestResult, error)

	// PutEmployee creates or replaces an employee and all their templates
	// in one roster change, after the unit check (ErrForbiddenUnit) and
	// the duplicate-face check (*DuplicateFaceError) of opts. Returns the
	// new revision.
	PutEmployee(ctx context.Context, e Employee, templates []Template, opts PutOptions) (int64, error)
	// TransferEmployee moves an employee to another unit from now on,
	// keeping their templates; it returns the revision and the old unit
	// (ErrNotFound; ErrConflict when already there).
	TransferEmployee(ctx context.Context, nip, unit string, now time.Time) (int64, string, error)
	// DeleteEmployee erases an employee, their templates and photos, and
	// records a deletion change (ErrNotFound).
	DeleteEmployee(ctx context.Context, nip string) (int64, error)
	// Employee returns one employee and their templates (ErrNotFound).
	Employee(ctx context.Context, nip string) (Employee, []Template, error)
	// Employees lists the employees of a unit ("" = all).
	Employees(ctx context.Context, unit string) ([]Employee, error)
	// Roster returns changes after since, for the given units (nil = all),
	// at most limit of them, oldest first.
	Roster(ctx context.Context, since int64, limit int, units []string) (RosterPage, error)
	// FaceIndex returns a gallery of every enrolled template keyed by NIP,
	// brought up to date with the database. Callers only Search it.
	FaceIndex(ctx context.Context) (*recognition.Gallery, error)

	// Events lists stored events matching f, by device time.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// ReviewHeld releases (it counts from then on) or dismisses a kept-
	// aside event, once (ErrNotFound; ErrConflict when not held or
	// already reviewed).
	ReviewHeld(ctx context.Context, device, id string, release bool, by string, now time.Time) (Event, error)

	// CreateUser adds a user (ErrConflict when the name is taken).
	CreateUser(ctx context.Context, u User) (User, error)
	// UserByName and UserByID find a user (ErrNotFound).
	UserByName(ctx context.Context, name string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	// Users lists all users.
	Users(ctx context.Context) ([]User, error)

	// ReserveLogin reserves one password check against the limit of
	// every key, in the same transaction as the lockout check, and
	// returns zero; or, reserving nothing, when the caller may retry: the
	// lockout end, or about a second ahead when the checks already in
	// flight could reach a limit.
	ReserveLogin(ctx context.Context, keys []LoginKey, now time.Time) (time.Time, error)
	// FinishLogin releases a reservation of ReserveLogin with the check's
	// outcome: a failure counts against every key and returns the end of
	// the lockout it started (zero: none); a success clears the keys
	// marked ClearOnSuccess.
	FinishLogin(ctx context.Context, keys []LoginKey, outcome LoginOutcome, now time.Time) (time.Time, error)

	// CreateRefreshToken stores a refresh token by hash, starting the
	// session (token family) named session.
	CreateRefreshToken(ctx context.Context, tokenHash []byte, userID int64, session string, expires time.Time) error
	// RotateRefreshToken spends a refresh token and stores its successor
	// in the same session atomically, returning the user and session. A
	// token spent twice revokes every token and session of its user
	// (theft) and returns ErrNotFound, as does an unknown or expired token.
	RotateRefreshToken(ctx context.Context, oldHash, newHash []byte, now, expires time.Time) (int64, string, error)
	// RevokeRefreshToken spends a token without a successor and ends its
	// session (logout).
	RevokeRefreshToken(ctx context.Context, tokenHash []byte, now time.Time) error
	// SessionUser returns the user of a session that has not ended
	// (ErrNotFound otherwise). Access tokens name their session, and
	// every request checks it here: the database is the one truth shared
	// by all server processes.
	SessionUser(ctx context.Context, session string, userID int64) (User, error)

	// Audit appends an audit entry.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog lists entries with id > after, oldest first, at most limit.
	AuditLog(ctx context.Context, after int64, limit int) ([]AuditEntry, error)

	// Stats returns database-wide counts for /metrics.
	Stats(ctx context.Context) (Stats, error)

	// RecapStore: leave, corrections, calendar, rosters, recap reads.
	RecapStore
}

// LoginKey is one counter a login is throttled by: a user at a client
// address, or a client address.
type LoginKey struct {
	Key    string
	Policy LockoutPolicy
	// ClearOnSuccess: a correct password forgets the key's failures.
	ClearOnSuccess bool
}

// LoginOutcome is how a reserved password check ended.
type LoginOutcome int

// Outcomes of a password check.
const (
	LoginAborted   LoginOutcome = iota // not checked (an error before it)
	LoginFailed                        // wrong user name or password
	LoginSucceeded                     // right password
)

// LockoutPolicy is the login rate limit: Max failures within Window lock
// the key for LockFor.
type LockoutPolicy struct {
	Max     int
	Window  time.Duration
	LockFor time.Duration
}
