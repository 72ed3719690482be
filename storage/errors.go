package storage

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/hadir-id/hadir/attendance"
)

// Sentinel errors. Callers branch on these with errors.Is; every returned
// error wraps one of them (or a context error) together with the failing
// input, so the message can be shown to an operator as is.
var (
	// ErrNotFound: the employee, template, event, photo, setting or
	// operator does not exist.
	ErrNotFound = errors.New("not found")
	// ErrWrongKey: the encryption key does not match the one the store was
	// created with. Nothing was changed.
	ErrWrongKey = errors.New("wrong encryption key for this store")
	// ErrNoKey: the store exists but its key file is missing; a new key
	// would make every template unreadable, so none is generated.
	ErrNoKey = errors.New("encryption key missing")
	// ErrLocked: another process (normally the running kiosk) holds the
	// store open.
	ErrLocked = errors.New("store already in use by another process")
	// ErrCorrupt: the database file is damaged or truncated, or a record
	// failed authentication. The file is left untouched for inspection.
	ErrCorrupt = errors.New("store is corrupt")
	// ErrNewerSchema: the file was written by a newer Hadir; opening it
	// with this version could lose data, so it is refused.
	ErrNewerSchema = errors.New("store was written by a newer version of hadir; upgrade hadir to open it")
	// ErrInvalidNIP: the NIP is not a well-formed 18-digit civil-servant
	// number.
	ErrInvalidNIP = attendance.ErrInvalidNIP
	// ErrInvalid: some other field of the input is invalid.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the caller updated a stale version of a record.
	ErrConflict = errors.New("version conflict")
	// ErrDuplicate: a record with this ID already exists (an event is
	// recorded at most once).
	ErrDuplicate = errors.New("already recorded")
	// ErrStorageFull: the disk (or the file size limit) is full. The
	// write did not happen; earlier records are intact. Show it as
	// "storage full — call the operator".
	ErrStorageFull = errors.New("storage full — call the operator")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrBadCredentials: unknown operator or wrong PIN/password.
	ErrBadCredentials = errors.New("wrong operator name or PIN")
	// ErrLoginLocked: too many wrong operator PINs in a row; logins are
	// refused, without checking the PIN, until the lock ends (the error
	// is a *LoginLockedError naming when).
	ErrLoginLocked = errors.New("operator login locked after too many wrong PINs")
)

// classify maps low-level errors to the sentinels callers act on.
func (s *Store) classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EFBIG),
		errors.Is(err, syscall.EDQUOT), errors.Is(err, berrors.ErrMaxSizeReached):
		return fmt.Errorf("%w: writing %s: %v", ErrStorageFull, s.path, err)
	case fullMessage(err.Error()):
		// bbolt formats some file errors with %s (e.g. "file resize
		// error: truncate ...: file too large"), dropping the errno.
		return fmt.Errorf("%w: writing %s: %v", ErrStorageFull, s.path, err)
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w: %s", ErrClosed, s.path)
	}
	return err
}

func fullMessage(msg string) bool {
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		if strings.HasSuffix(msg, e.Error()) {
			return true
		}
	}
	return false
}

// guard turns a panic raised while reading a damaged page (bbolt panics on
// impossible page contents; a fault on the memory map becomes a panic via
// SetPanicOnFault) into ErrCorrupt naming the file, instead of killing the
// kiosk. bbolt rolls the transaction back before the panic reaches here.
func guard(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
	}
}

// view runs fn in a read transaction with panic and fault protection.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(s.path, &err)
	return s.classify(s.db.View(fn))
}

// update runs fn in a durable write transaction: bbolt fsyncs the data
// and meta pages before Update returns nil (NoSync is never set).
func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(s.path, &err)
	return s.classify(s.db.Update(fn))
}
