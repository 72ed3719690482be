package storage

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id cost parameters. They are stored with each
// hash, so raising them later does not invalidate existing PINs.
type Argon2Params struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
}

// DefaultArgon2 follows the OWASP minimum for argon2id (19 MiB, 2 passes,
// 1 lane): slow enough to make guessing a 6-digit PIN from a stolen file
// expensive, cheap enough for a kiosk login (~50 ms).
var DefaultArgon2 = Argon2Params{Time: 2, Memory: 19 * 1024, Threads: 1}

// OperatorRole limits what an operator may do in the kiosk's admin menu.
type OperatorRole string

// Operator roles. An auditor may read the audit log and nothing else.
const (
	RoleAdmin    OperatorRole = "admin"
	RoleOperator OperatorRole = "operator"
	RoleAuditor  OperatorRole = "auditor"
)

// Operator is a person allowed into the kiosk's admin menu.
type Operator struct {
	Name      string       `json:"name"`
	Role      OperatorRole `json:"role"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type operatorRecord struct {
	Operator
	Params Argon2Params `json:"params"`
	Salt   []byte       `json:"salt"`
	Hash   []byte       `json:"hash"`
}

const hashLen = 32

// PutOperator creates an operator or replaces their role and PIN/password
// (stored only as an argon2id hash with a random salt). Audited.
func (s *Store) PutOperator(ctx context.Context, name string, role OperatorRole, secret string) (Operator, error) {
	if err := ctx.Err(); err != nil {
		return Operator{}, err
	}
	if name == "" || len(name) > 64 || !utf8.ValidString(name) {
		return Operator{}, fmt.Errorf("%w: operator name %q", ErrInvalid, name)
	}
	switch role {
	case RoleAdmin, RoleOperator, RoleAuditor:
	default:
		return Operator{}, fmt.Errorf("%w: operator %s: unknown role %q", ErrInvalid, name, role)
	}
	if err := ValidateOperatorPIN(secret); err != nil {
		return Operator{}, fmt.Errorf("operator %s: %w", name, err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Operator{}, fmt.Errorf("operator %s: salt: %w", name, err)
	}
	p := s.opts.Argon2
	rec := operatorRecord{Params: p, Salt: salt,
		Hash: argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, hashLen)}
	now := s.opts.Now().UTC()
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktOperators)
		rec.Operator = Operator{Name: name, Role: role, CreatedAt: now, UpdatedAt: now}
		detail := "created"
		if v := b.Get([]byte(name)); v != nil {
			var old operatorRecord
			if err := json.Unmarshal(v, &old); err == nil {
				rec.CreatedAt = old.CreatedAt
			}
			detail = "changed"
		}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(name), v); err != nil {
			return err
		}
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionOperator, Subject: name, Detail: detail + ", role " + string(role)})
	})
	if err != nil {
		return Operator{}, err
	}
	return rec.Operator, nil
}

// VerifyOperator checks a PIN in constant time. Success and failure are
// both audited; an unknown name costs the same hashing work as a known one
// so it cannot be told apart by timing. Failure returns ErrBadCredentials.
// After OperatorMaxFails wrong PINs in a row every login is refused with
// a *LoginLockedError (ErrLoginLocked) for OperatorLockout, before any
// hashing. The attempt is counted before the PIN is hashed, in the same
// transaction as the lock check, so parallel attempts cannot slip past
// the limit; a right PIN clears the count.
func (s *Store) VerifyOperator(ctx context.Context, name, secret string) (Operator, error) {
	if err := ctx.Err(); err != nil {
		return Operator{}, err
	}
	var rec operatorRecord
	found := false
	err := s.update(func(tx *bolt.Tx) error {
		found = false
		if err := s.reserveLogin(tx); err != nil {
			return err
		}
		v := tx.Bucket(bktOperators).Get([]byte(name))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return Operator{}, err
	}
	if !found {
		rec.Params, rec.Salt, rec.Hash = s.opts.Argon2, make([]byte, 16), make([]byte, hashLen)
	}
	p := rec.Params
	got := argon2.IDKey([]byte(secret), rec.Salt, p.Time, p.Memory, p.Threads, hashLen)
	ok := subtle.ConstantTimeCompare(got, rec.Hash) == 1 && found
	if err := s.update(func(tx *bolt.Tx) error { return s.settleLogin(tx, name, ok) }); err != nil {
		return Operator{}, err
	}
	if !ok {
		return Operator{}, fmt.Errorf("%w: operator %q", ErrBadCredentials, name)
	}
	return rec.Operator, nil
}

// Operators lists the operators (without their hashes).
func (s *Store) Operators(ctx context.Context) ([]Operator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Operator
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bktOperators).ForEach(func(k, v []byte) error {
			var rec operatorRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: %s: operator %s: %v", ErrCorrupt, s.path, k, err)
			}
			out = append(out, rec.Operator)
			return nil
		})
	})
	return out, err
}
