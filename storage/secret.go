package storage

import (
	"context"
	"fmt"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// bktSecrets holds credentials (the sync worker's device token), sealed
// with the store key. It is created by the first SetSecret, so stores
// made before it existed need no migration.
var bktSecrets = []byte("secrets")

const maxSecretLen = 64 << 10

func validSecretName(name string) error {
	if name == "" || len(name) > 128 || !utf8.ValidString(name) {
		return fmt.Errorf("%w: secret name %q: 1-128 bytes of UTF-8", ErrInvalid, name)
	}
	return nil
}

// SetSecret stores a credential encrypted with the store key
// (AES-256-GCM, bound to its bucket and name), unlike SetSetting, which
// keeps plain text: a copied database file without the key must not
// yield a token that lets anyone post attendance as this kiosk. The
// change is audited without the value.
func (s *Store) SetSecret(ctx context.Context, name string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validSecretName(name); err != nil {
		return err
	}
	if len(value) > maxSecretLen {
		return fmt.Errorf("%w: secret %q is %d bytes, limit %d", ErrInvalid, name, len(value), maxSecretLen)
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bktSecrets)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bktSecrets, err)
		}
		key := []byte(name)
		if err := b.Put(key, s.seal.seal(nil, value, recordAD(bktSecrets, key))); err != nil {
			return err
		}
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionSetting, Subject: name,
			Detail: "changed (secret value not logged)"})
	})
}

// Secret returns a credential stored with SetSecret (ErrNotFound if it
// was never set or was deleted; ErrCorrupt if it fails authentication).
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validSecretName(name); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSecrets)
		var v []byte
		if b != nil {
			v = b.Get([]byte(name))
		}
		if v == nil {
			return fmt.Errorf("%w: secret %q", ErrNotFound, name)
		}
		plain, err := s.seal.open(nil, v, recordAD(bktSecrets, []byte(name)))
		if err != nil {
			return fmt.Errorf("%w: %s: secret %q: %v", ErrCorrupt, s.path, name, err)
		}
		out = plain
		return nil
	})
	return out, err
}

// DeleteSecret removes a credential (a no-op when absent) and audits the
// removal, e.g. when a kiosk is unregistered.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validSecretName(name); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSecrets)
		if b == nil || b.Get([]byte(name)) == nil {
			return nil
		}
		if err := b.Delete([]byte(name)); err != nil {
			return err
		}
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionSetting, Subject: name, Detail: "deleted"})
	})
}
