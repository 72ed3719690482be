package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestSecretSealedAndAudited(t *testing.T) {
	s, c, dir := openTest(t)
	ctx := WithActor(context.Background(), "sync")
	if _, err := s.Secret(ctx, "sync.device_token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unset secret before the bucket exists: %v", err)
	}
	token := []byte("tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0-UNIQUEMARKER")
	if err := s.SetSecret(ctx, "sync.device_token", token); err != nil {
		t.Fatal(err)
	}
	got, err := s.Secret(ctx, "sync.device_token")
	if err != nil || !bytes.Equal(got, token) {
		t.Fatalf("Secret = %q %v", got, err)
	}
	if _, err := s.Secret(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown secret: %v", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", 129), "\xff"} {
		if err := s.SetSecret(ctx, bad, token); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetSecret(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.SetSecret(ctx, "big", make([]byte, maxSecretLen+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized secret: %v", err)
	}
	// Survives a reopen; never in the file or the audit log in clear.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(readFile(t, dbPath(dir)), []byte("UNIQUEMARKER")) {
		t.Fatal("token stored in plain text")
	}
	s2, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Secret(ctx, "sync.device_token"); err != nil || !bytes.Equal(got, token) {
		t.Fatalf("after reopen Secret = %q %v", got, err)
	}
	log, err := s2.AuditLog(ctx, 0, 100)
	if err != nil || len(log) == 0 {
		t.Fatalf("audit log %v %v", log, err)
	}
	last := log[len(log)-1]
	if last.Subject != "sync.device_token" || last.Actor != "sync" || strings.Contains(last.Detail, "MARKER") {
		t.Fatalf("audit entry %+v", last)
	}
	if err := s2.DeleteSecret(ctx, "sync.device_token"); err != nil {
		t.Fatal(err)
	}
	if err := s2.DeleteSecret(ctx, "sync.device_token"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s2.Secret(ctx, "sync.device_token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted secret: %v", err)
	}
}

func TestSecretBoundToItsName(t *testing.T) {
	s, _, _ := openTest(t)
	ctx := context.Background()
	if err := s.SetSecret(ctx, "a", []byte("alpha")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecret(ctx, "b", []byte("beta")); err != nil {
		t.Fatal(err)
	}
	// Copy a's ciphertext onto b: authentication must fail.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSecrets)
		return b.Put([]byte("b"), append([]byte(nil), b.Get([]byte("a"))...))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Secret(ctx, "b"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("swapped ciphertext: %v, want ErrCorrupt", err)
	}
}
