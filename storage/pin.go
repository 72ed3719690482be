package storage

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"
)

// bktPINs holds employees' fallback PINs (argon2id hashes). It is created
// on first use, so stores of schema 2 gain it without a migration.
var bktPINs = []byte("employee_pins")

type pinRecord struct {
	Params Argon2Params `json:"params"`
	Salt   []byte       `json:"salt"`
	Hash   []byte       `json:"hash"`
}

// Employee fallback PINs are typed on the kiosk's keypad: digits only.
const (
	MinEmployeePIN = 4
	MaxEmployeePIN = 12
)

// ValidateEmployeePIN checks an employee's fallback PIN: 4 to 12 digits
// (ErrInvalid otherwise). The store enforces it; screens call it to say
// so before the operator saves.
func ValidateEmployeePIN(pin string) error {
	return validateDigits(pin, "fallback PIN", MinEmployeePIN, MaxEmployeePIN)
}

// validateDigits checks that a PIN is lo to hi ASCII digits.
func validateDigits(pin, what string, lo, hi int) error {
	ok := len(pin) >= lo && len(pin) <= hi
	for i := 0; ok && i < len(pin); i++ {
		ok = pin[i] >= '0' && pin[i] <= '9'
	}
	if !ok {
		return fmt.Errorf("%w: %s must be %d to %d digits", ErrInvalid, what, lo, hi)
	}
	return nil
}

// SetEmployeePIN sets the PIN an employee types when the kiosk cannot
// recognise them (the NIP + PIN fallback; ValidateEmployeePIN). Only an
// argon2id hash is kept. The employee must exist. Audited.
func (s *Store) SetEmployeePIN(ctx context.Context, nip, pin string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := s.hashEmployeePIN(nip, pin)
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		if _, err := s.getEmployee(tx, nip); err != nil {
			return err
		}
		return s.putEmployeePIN(ctx, tx, nip, v)
	})
}

// hashEmployeePIN validates pin and returns its stored record (argon2id
// with a random salt). It is slow on purpose: call it outside a
// transaction.
func (s *Store) hashEmployeePIN(nip, pin string) ([]byte, error) {
	if err := ValidateEmployeePIN(pin); err != nil {
		return nil, fmt.Errorf("employee %s: %w", nip, err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("employee %s: salt: %w", nip, err)
	}
	p := s.opts.Argon2
	rec := pinRecord{Params: p, Salt: salt, Hash: argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, hashLen)}
	return json.Marshal(rec)
}

// putEmployeePIN stores a hashed PIN record in tx, audited.
func (s *Store) putEmployeePIN(ctx context.Context, tx *bolt.Tx, nip string, rec []byte) error {
	b, err := tx.CreateBucketIfNotExists(bktPINs)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(nip), rec); err != nil {
		return err
	}
	return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionEmployee, Subject: nip, Detail: "fallback PIN set"})
}

// VerifyEmployeePIN checks an employee's fallback PIN in constant time;
// an unknown NIP or an employee without a PIN costs the same work and
// fails the same way (ErrBadCredentials), so neither can be probed.
// Failures are audited (they may be someone trying colleagues' NIPs).
func (s *Store) VerifyEmployeePIN(ctx context.Context, nip, pin string) (Employee, error) {
	if err := ctx.Err(); err != nil {
		return Employee{}, err
	}
	var (
		rec   pinRecord
		emp   Employee
		found bool
	)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktPINs)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(nip))
		if v == nil {
			return nil
		}
		e, err := s.getEmployee(tx, nip)
		if err != nil {
			return err
		}
		emp, found = e, true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return Employee{}, err
	}
	if !found {
		rec.Params, rec.Salt, rec.Hash = s.opts.Argon2, make([]byte, 16), make([]byte, hashLen)
	}
	p := rec.Params
	got := argon2.IDKey([]byte(pin), rec.Salt, p.Time, p.Memory, p.Threads, hashLen)
	if subtle.ConstantTimeCompare(got, rec.Hash) == 1 && found && emp.Status == StatusActive {
		return emp, nil
	}
	a := Audit{Actor: "kiosk", Action: ActionLoginFailure, Subject: nip, Detail: "wrong fallback PIN"}
	if err := s.update(func(tx *bolt.Tx) error { return s.appendAudit(tx, a) }); err != nil {
		return Employee{}, err
	}
	return Employee{}, fmt.Errorf("%w: employee %s", ErrBadCredentials, nip)
}
