package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Operator PINs are typed on the kiosk's keypad: digits only, long enough
// that OperatorMaxFails guesses per lockout do not find one.
const (
	MinOperatorPIN = 6
	MaxOperatorPIN = 12
)

// ValidateOperatorPIN checks an operator PIN: 6 to 12 digits (ErrInvalid
// otherwise). The store enforces it; screens call it to say so early.
func ValidateOperatorPIN(pin string) error {
	return validateDigits(pin, "operator PIN", MinOperatorPIN, MaxOperatorPIN)
}

// keyLoginLock (meta bucket) holds the operator login lockout as JSON.
var keyLoginLock = []byte("operator_login_lock")

// LoginLock is the operator login's lockout state.
type LoginLock struct {
	// Failures counts wrong PINs in a row (attempts being checked count
	// already).
	Failures int `json:"failures"`
	// Until is when the current lock ends; zero or past: not locked.
	Until time.Time `json:"until,omitempty"`
	// Left is how many more wrong PINs the next lock allows (filled on
	// read).
	Left int `json:"-"`
}

// Locked reports whether logins are refused at now.
func (l LoginLock) Locked(now time.Time) bool { return now.Before(l.Until) }

// LoginLockedError is the error of a login refused during a lockout.
type LoginLockedError struct{ Until time.Time }

func (e *LoginLockedError) Error() string {
	return fmt.Sprintf("%v until %s", ErrLoginLocked, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLoginLocked) hold.
func (e *LoginLockedError) Is(target error) bool { return target == ErrLoginLocked }

// OperatorLogin returns the operator login's lockout state, as kept in
// the store (it survives restarts).
func (s *Store) OperatorLogin(ctx context.Context) (LoginLock, error) {
	if err := ctx.Err(); err != nil {
		return LoginLock{}, err
	}
	var l LoginLock
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		l, err = s.loginLock(tx)
		return err
	})
	l.Left = max(s.opts.OperatorMaxFails-l.Failures, 0)
	return l, err
}

func (s *Store) loginLock(tx *bolt.Tx) (LoginLock, error) {
	var l LoginLock
	v := tx.Bucket(bktMeta).Get(keyLoginLock)
	if v == nil {
		return l, nil
	}
	if err := json.Unmarshal(v, &l); err != nil {
		return l, fmt.Errorf("%w: %s: operator login lock: %v", ErrCorrupt, s.path, err)
	}
	return l, nil
}

func (s *Store) putLoginLock(tx *bolt.Tx, l LoginLock) error {
	v, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return tx.Bucket(bktMeta).Put(keyLoginLock, v)
}

// reserveLogin refuses a login during a lockout, and otherwise counts the
// attempt as a failure until settleLogin says otherwise. With the limit's
// worth of attempts in flight, a further one is refused as well.
func (s *Store) reserveLogin(tx *bolt.Tx) error {
	l, err := s.loginLock(tx)
	if err != nil {
		return err
	}
	now := s.opts.Now()
	if l.Locked(now) {
		return &LoginLockedError{Until: l.Until}
	}
	if l.Failures >= s.opts.OperatorMaxFails {
		// Attempts still being checked (or cut off by a crash) use up
		// the allowance: lock now rather than hash one more guess.
		l = LoginLock{Until: now.Add(s.opts.OperatorLockout)}
		if err := s.putLoginLock(tx, l); err != nil {
			return err
		}
		return &LoginLockedError{Until: l.Until}
	}
	l.Failures++
	return s.putLoginLock(tx, l)
}

// settleLogin records the outcome of a reserved attempt with its audit
// entry: a success clears the count; the failure that reaches the limit
// starts the lock (audited as a lockout).
func (s *Store) settleLogin(tx *bolt.Tx, name string, ok bool) error {
	l, err := s.loginLock(tx)
	if err != nil {
		return err
	}
	if ok {
		if err := s.putLoginLock(tx, LoginLock{}); err != nil {
			return err
		}
		return s.appendAudit(tx, Audit{Actor: name, Action: ActionLogin, Subject: name})
	}
	if err := s.appendAudit(tx, Audit{Actor: name, Action: ActionLoginFailure, Subject: name}); err != nil {
		return err
	}
	if l.Failures < s.opts.OperatorMaxFails || l.Locked(s.opts.Now()) {
		return nil
	}
	l = LoginLock{Until: s.opts.Now().Add(s.opts.OperatorLockout)}
	if err := s.putLoginLock(tx, l); err != nil {
		return err
	}
	return s.appendAudit(tx, Audit{Actor: name, Action: ActionLockout, Subject: name,
		Detail: fmt.Sprintf("%d wrong PINs: operator login locked until %s", s.opts.OperatorMaxFails, l.Until.UTC().Format(time.RFC3339))})
}
