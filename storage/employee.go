package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// EmployeeStatus says whether an employee is expected at work.
type EmployeeStatus string

// Employee statuses. An inactive employee (retired, moved to another
// OPD) keeps their records but the kiosk should not match them.
const (
	StatusActive   EmployeeStatus = "active"
	StatusInactive EmployeeStatus = "inactive"
)

// Employee is a civil servant known to the kiosk.
type Employee struct {
	NIP    string         `json:"nip"`
	Name   string         `json:"name"`
	Unit   string         `json:"unit,omitempty"` // unit / OPD
	Status EmployeeStatus `json:"status"`
	// Version counts changes; PutEmployee with a non-zero Version fails
	// with ErrConflict unless it equals the stored one (optimistic
	// locking for edits made from a stale screen).
	Version   uint64    `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const maxNameLen = 200

func validateEmployee(e Employee) error {
	if err := ValidateNIP(e.NIP); err != nil {
		return err
	}
	name := strings.TrimSpace(e.Name)
	switch {
	case name == "":
		return fmt.Errorf("%w: employee %s: empty name", ErrInvalid, e.NIP)
	case !utf8.ValidString(e.Name) || len(e.Name) > maxNameLen:
		return fmt.Errorf("%w: employee %s: name must be valid UTF-8 of at most %d bytes", ErrInvalid, e.NIP, maxNameLen)
	case !utf8.ValidString(e.Unit) || len(e.Unit) > maxNameLen:
		return fmt.Errorf("%w: employee %s: unit must be valid UTF-8 of at most %d bytes", ErrInvalid, e.NIP, maxNameLen)
	}
	switch e.Status {
	case "", StatusActive, StatusInactive:
	default:
		return fmt.Errorf("%w: employee %s: unknown status %q", ErrInvalid, e.NIP, e.Status)
	}
	return nil
}

// PutEmployee creates or updates an employee and returns the stored
// record: Version bumped, CreatedAt kept, UpdatedAt set, Status defaulted
// to active. The change is audited under the context's actor.
func (s *Store) PutEmployee(ctx context.Context, e Employee) (Employee, error) {
	if err := ctx.Err(); err != nil {
		return Employee{}, err
	}
	e, err := cleanEmployee(e)
	if err != nil {
		return Employee{}, err
	}
	var out Employee
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		out, err = s.putEmployee(ctx, tx, e)
		return err
	})
	if err != nil {
		return Employee{}, err
	}
	return out, nil
}

// cleanEmployee trims and validates an employee before a write.
func cleanEmployee(e Employee) (Employee, error) {
	e.Name = strings.TrimSpace(e.Name)
	e.Unit = strings.TrimSpace(e.Unit)
	if err := validateEmployee(e); err != nil {
		return Employee{}, err
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	return e, nil
}

// putEmployee writes a cleaned employee in tx (version check, audit) and
// returns the stored record.
func (s *Store) putEmployee(ctx context.Context, tx *bolt.Tx, e Employee) (Employee, error) {
	now := s.opts.Now().UTC()
	b := tx.Bucket(bktEmployees)
	key := []byte(e.NIP)
	detail := "created"
	if v := b.Get(key); v != nil {
		var old Employee
		if err := json.Unmarshal(v, &old); err != nil {
			return Employee{}, fmt.Errorf("%w: %s: employee %s: %v", ErrCorrupt, s.path, e.NIP, err)
		}
		if e.Version != 0 && e.Version != old.Version {
			return Employee{}, fmt.Errorf("%w: employee %s is at version %d, the update was made from version %d", ErrConflict, e.NIP, old.Version, e.Version)
		}
		e.Version = old.Version + 1
		e.CreatedAt = old.CreatedAt
		detail = "updated"
	} else {
		if e.Version != 0 {
			return Employee{}, fmt.Errorf("%w: employee %s: version %d given for a new employee", ErrConflict, e.NIP, e.Version)
		}
		e.Version = 1
		e.CreatedAt = now
	}
	e.UpdatedAt = now
	v, err := json.Marshal(e)
	if err != nil {
		return Employee{}, err
	}
	if err := b.Put(key, v); err != nil {
		return Employee{}, err
	}
	return e, s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionEmployee, Subject: e.NIP, Detail: detail})
}

// Employee returns the employee with this NIP, or ErrNotFound.
func (s *Store) Employee(ctx context.Context, nip string) (Employee, error) {
	if err := ctx.Err(); err != nil {
		return Employee{}, err
	}
	var e Employee
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		e, err = s.getEmployee(tx, nip)
		return err
	})
	return e, err
}

func (s *Store) getEmployee(tx *bolt.Tx, nip string) (Employee, error) {
	var e Employee
	v := tx.Bucket(bktEmployees).Get([]byte(nip))
	if v == nil {
		return e, fmt.Errorf("%w: employee %s", ErrNotFound, nip)
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("%w: %s: employee %s: %v", ErrCorrupt, s.path, nip, err)
	}
	return e, nil
}

// Employees returns every employee, ordered by NIP.
func (s *Store) Employees(ctx context.Context) ([]Employee, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Employee
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktEmployees)
		return b.ForEach(func(k, v []byte) error {
			var e Employee
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: %s: employee %s: %v", ErrCorrupt, s.path, k, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}
