package server

import (
	"errors"
	"fmt"
)

// Errors callers act on. Stores wrap them with detail; handlers map them
// to HTTP status codes with errors.Is.
var (
	// ErrNotFound: the named record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record already exists or was changed concurrently.
	ErrConflict = errors.New("conflict")
	// ErrInvalidCode: an enrollment code is unknown, used or expired.
	ErrInvalidCode = errors.New("invalid enrollment code")
	// ErrDeviceExists: a device with that id is registered and not revoked.
	ErrDeviceExists = errors.New("device already registered")
	// ErrDeviceRevoked: the device's credential was revoked by an admin.
	ErrDeviceRevoked = errors.New("device revoked")
	// ErrDuplicateFace: a template matches an employee of another NIP; the
	// error is a *DuplicateFaceError carrying the conflict.
	ErrDuplicateFace = errors.New("duplicate face")
	// ErrWrongKey: the store was written with another encryption key.
	ErrWrongKey = errors.New("wrong server key for this database")
	// ErrNoKey: an operation needs the encryption key but the store was
	// opened without one (command-line maintenance).
	ErrNoKey = errors.New("store opened without an encryption key")
	// ErrInvalid: input that breaks a rule (bad NIP, bad descriptor, ...).
	ErrInvalid = errors.New("invalid input")
	// ErrNewerSchema: the database was migrated by a newer hadir-server;
	// an older one must not write to it (a downgrade).
	ErrNewerSchema = errors.New("database schema is newer than this hadir-server")
	// ErrForbiddenUnit: the employee's current unit is not one of the
	// caller's (a device or operator may not take over another unit's
	// people; an admin transfers them).
	ErrForbiddenUnit = errors.New("employee belongs to another unit")
)

// DuplicateFaceError reports which employee an uploaded template matched,
// so the kiosk operator can tell the person "already enrolled as NIP X".
type DuplicateFaceError struct {
	NIP      string  // the NIP being enrolled
	Conflict string  // the other employee's NIP
	Name     string  // the other employee's name
	Unit     string  // the other employee's unit (decides who may see the rest)
	Distance float64 // Euclidean distance of the closest pair
}

// Error names both NIPs and the distance.
func (e *DuplicateFaceError) Error() string {
	return fmt.Sprintf("duplicate face: a template of %s matches %s (%s) at distance %.3f", e.NIP, e.Conflict, e.Name, e.Distance)
}

// Unwrap makes errors.Is(err, ErrDuplicateFace) true.
func (e *DuplicateFaceError) Unwrap() error { return ErrDuplicateFace }
