package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// AdaptTemplate stores t as an adapted template of nip: a face the kiosk
// recognised with confidence at a live check-in (package checkin decides
// which; recognition.Adaptation is the rule). A person keeps at most
// maxAdapted of them: when nip has that many, the oldest adapted one
// (by TakenAt) is replaced. Enrollment templates are never touched, and a
// person without any (or not active) gets none: adaptation refines an
// enrollment, it never makes one. The template and its audit entry are
// written in one transaction. It returns all of nip's templates after
// the change, for the caller's gallery.
//
// New enrollment templates (Enroll, AddTemplates, ReplaceTemplates)
// delete the adapted ones, and EraseEmployee deletes them with the rest.
func (s *Store) AdaptTemplate(ctx context.Context, nip string, t Template, maxAdapted int) ([]Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ValidateNIP(nip); err != nil {
		return nil, err
	}
	if maxAdapted < 1 {
		return nil, fmt.Errorf("%w: adapt %s: bound %d < 1", ErrInvalid, nip, maxAdapted)
	}
	t.Adapted = true
	var all []Template
	err := s.update(func(tx *bolt.Tx) error {
		emp, err := s.getEmployee(tx, nip)
		if err != nil {
			return err
		}
		if emp.Status != StatusActive {
			return fmt.Errorf("%w: employee %s is %s", ErrInvalid, nip, emp.Status)
		}
		enrolled, adapted := templateKinds(tx, nip)
		if enrolled == 0 {
			return fmt.Errorf("%w: employee %s has no enrollment template", ErrInvalid, nip)
		}
		note := ""
		b := tx.Bucket(bktTemplates)
		for len(adapted) >= maxAdapted { // oldest first
			if err := b.Delete(adapted[0].key); err != nil {
				return err
			}
			note = fmt.Sprintf("adapted, replaced %d oldest", len(adapted)-maxAdapted+1)
			adapted = adapted[1:]
		}
		if note == "" {
			note = fmt.Sprintf("adapted, %d of %d", len(adapted)+1, maxAdapted)
		}
		if _, err := s.putTemplates(ctx, tx, nip, []Template{t}, ActionAdapt, note); err != nil {
			return err
		}
		all, err = s.templatesIn(tx, nip)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("adapt template of %s: %w", nip, err)
	}
	return all, nil
}

// adaptedKey is an adapted template's key and when it was taken.
type adaptedKey struct {
	key   []byte
	taken int64
}

// templateKinds counts nip's enrollment templates and lists the adapted
// ones, oldest first, from the clear header (nothing is decrypted).
func templateKinds(tx *bolt.Tx, nip string) (enrolled int, adapted []adaptedKey) {
	prefix := []byte(nip + "/")
	c := tx.Bucket(bktTemplates).Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if len(v) < tplHdrLen || v[0] != tplAdapted {
			enrolled++
			continue
		}
		adapted = append(adapted, adaptedKey{key: slices.Clone(k), taken: int64(binary.BigEndian.Uint64(v[1:]))})
	}
	slices.SortStableFunc(adapted, func(a, b adaptedKey) int {
		switch {
		case a.taken < b.taken:
			return -1
		case a.taken > b.taken:
			return 1
		}
		return 0
	})
	return enrolled, adapted
}

// deleteAdapted deletes nip's adapted templates in tx and returns how
// many there were.
func deleteAdapted(tx *bolt.Tx, nip string) (int, error) {
	_, adapted := templateKinds(tx, nip)
	b := tx.Bucket(bktTemplates)
	for _, a := range adapted {
		if err := b.Delete(a.key); err != nil {
			return 0, err
		}
	}
	return len(adapted), nil
}

// templatesIn decrypts nip's templates in tx, in key order.
func (s *Store) templatesIn(tx *bolt.Tx, nip string) ([]Template, error) {
	var out []Template
	prefix := []byte(nip + "/")
	c := tx.Bucket(bktTemplates).Cursor()
	buf := make([]byte, tplDescLen)
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		t, b, err := s.decodeTemplate(k, v, buf)
		buf = b
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
