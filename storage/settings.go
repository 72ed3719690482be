package storage

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Setting returns a kiosk setting (ErrNotFound if never set).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var out string
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktSettings).Get([]byte(key))
		if v == nil {
			return fmt.Errorf("%w: setting %q", ErrNotFound, key)
		}
		out = string(v)
		return nil
	})
	return out, err
}

// Settings returns all settings.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bktSettings).ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	return out, err
}

// secretKey reports settings whose values must not be copied into the
// audit log (server tokens, passwords).
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"secret", "token", "password", "pin", "key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// SetSetting changes a setting and audits the change (old and new value,
// unless the key names a secret). Setting the current value is a no-op.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || len(key) > 128 || !utf8.ValidString(key) || !utf8.ValidString(value) || len(value) > 64<<10 {
		return fmt.Errorf("%w: setting %q: key 1-128 bytes, value at most 64 KiB, both UTF-8", ErrInvalid, key)
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSettings)
		old, had := b.Get([]byte(key)), b.Get([]byte(key)) != nil
		if had && string(old) == value {
			return nil
		}
		detail := fmt.Sprintf("%q -> %q", clip(string(old)), clip(value))
		if !had {
			detail = fmt.Sprintf("set to %q", clip(value))
		}
		if secretKey(key) {
			detail = "changed (secret value not logged)"
		}
		if err := b.Put([]byte(key), []byte(value)); err != nil {
			return err
		}
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionSetting, Subject: key, Detail: detail})
	})
}

func clip(s string) string {
	if len(s) <= 200 {
		return s
	}
	return strings.ToValidUTF8(s[:200], "") + "…"
}
