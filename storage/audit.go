package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditAction names what an audited operator/admin action did.
type AuditAction string

// The audited actions (UU PDP requires a record of processing of
// biometric data, and operators answer for what they changed).
const (
	ActionEnroll       AuditAction = "enroll"        // first templates for an employee
	ActionReEnroll     AuditAction = "re-enroll"     // more templates for an employee
	ActionEmployee     AuditAction = "employee"      // employee created or changed
	ActionErase        AuditAction = "erase"         // employee, templates and photos deleted
	ActionExport       AuditAction = "export"        // data left the device (backup, report)
	ActionSetting      AuditAction = "setting"       // a setting changed
	ActionOperator     AuditAction = "operator"      // an operator created or changed
	ActionLogin        AuditAction = "login"         // operator logged in
	ActionLoginFailure AuditAction = "login-failure" // wrong operator name or PIN
	ActionLockout      AuditAction = "lockout"       // operator login locked after wrong PINs
	ActionPurge        AuditAction = "purge"         // retention removed old records
	ActionMigrate      AuditAction = "migrate"       // schema upgraded
	ActionAdapt        AuditAction = "adapt"         // a check-in's face added as a template (AdaptTemplate)
)

// Audit is one entry of the append-only audit log. The store offers no
// way to change or delete entries.
type Audit struct {
	Seq     uint64      `json:"seq"`
	At      time.Time   `json:"at"`
	Actor   string      `json:"actor,omitempty"`
	Action  AuditAction `json:"action"`
	Subject string      `json:"subject,omitempty"` // e.g. the NIP or setting key
	Detail  string      `json:"detail,omitempty"`
}

type actorKey struct{}

// WithActor returns a context naming the operator on whose behalf the
// store is called; audit entries written under it carry that name.
func WithActor(ctx context.Context, operator string) context.Context {
	return context.WithValue(ctx, actorKey{}, operator)
}

// Actor returns the operator named by WithActor, or "".
func Actor(ctx context.Context) string {
	v, _ := ctx.Value(actorKey{}).(string)
	return v
}

func seqKey(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// appendAudit writes a in the caller's transaction, so the audited change
// and its entry commit (or fail) together.
func (s *Store) appendAudit(tx *bolt.Tx, a Audit) error {
	b := tx.Bucket(bktAudit)
	if b == nil {
		var err error
		if b, err = tx.CreateBucketIfNotExists(bktAudit); err != nil {
			return err
		}
	}
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	a.Seq = seq
	if a.At.IsZero() {
		a.At = s.opts.Now().UTC()
	}
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return b.Put(seqKey(seq), v)
}

// RecordAudit appends an entry for an action taken outside the store
// (e.g. a report export). Actor defaults to the context's actor.
func (s *Store) RecordAudit(ctx context.Context, a Audit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.Action == "" {
		return fmt.Errorf("%w: audit entry without action", ErrInvalid)
	}
	if a.Actor == "" {
		a.Actor = Actor(ctx)
	}
	a.Seq, a.At = 0, time.Time{}
	return s.update(func(tx *bolt.Tx) error { return s.appendAudit(tx, a) })
}

// AuditLog returns up to limit entries with Seq > after, oldest first;
// pass the last Seq seen to page through the log.
func (s *Store) AuditLog(ctx context.Context, after uint64, limit int) ([]Audit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	var out []Audit
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktAudit).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var a Audit
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("%w: %s: audit entry %x: %v", ErrCorrupt, s.path, k, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}
