package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "server.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1.Fingerprint(), k2.Fingerprint()) {
		t.Fatalf("reload: %v %v", created, err)
	}
	if s := k1.String() + k1.GoString(); strings.Contains(s, string(k1.b[:4])) || !strings.Contains(s, "redacted") {
		t.Errorf("key prints as %q", s)
	}
	os.WriteFile(path, []byte("zz"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Error("bad key file accepted")
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 64)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error echoes the key: %v", err)
		}
	}
}

func TestCipher(t *testing.T) {
	k, _ := ParseKey(strings.Repeat("ab", 32))
	c := k.Cipher()
	sealed := c.Seal([]byte("descriptor"), []byte("row-1"))
	if bytes.Contains(sealed, []byte("descriptor")) {
		t.Fatal("plaintext visible")
	}
	if got, err := c.Open(sealed, []byte("row-1")); err != nil || string(got) != "descriptor" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := c.Open(sealed, []byte("row-2")); err == nil {
		t.Error("a value moved to another row decrypts")
	}
	other, _ := ParseKey(strings.Repeat("cd", 32))
	if _, err := other.Cipher().Open(sealed, []byte("row-1")); err == nil {
		t.Error("another key decrypts")
	}
	if _, err := c.Open([]byte{1, 2}, nil); err == nil {
		t.Error("short value decrypts")
	}
}

func TestCodes(t *testing.T) {
	c := NewCode()
	if len(c) != 19 || strings.Count(c, "-") != 3 {
		t.Errorf("code %q", c)
	}
	if NormalizeCode(strings.ToLower(c)) != strings.ReplaceAll(c, "-", "") {
		t.Errorf("normalise %q", c)
	}
	if len(NewToken()) != 43 || NewToken() == NewToken() {
		t.Error("tokens")
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q %v", h, err)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("check %q = %v %v", pw, ok, err)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=19$m=0,t=0,p=0$x$y"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

func TestJWT(t *testing.T) {
	k, _ := ParseKey(strings.Repeat("ab", 32))
	now := time.Unix(1_800_000_000, 0)
	s, err := New(Config{Store: nopStoreInternal{}, Key: k, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tok, exp := s.signJWT(User{ID: 7, Name: "a", Role: RoleAdmin}, "session-1", now)
	if !exp.Equal(now.Add(15 * time.Minute)) {
		t.Errorf("exp %v", exp)
	}
	c, err := s.verifyJWT(tok)
	if err != nil || c.userID != 7 || c.Role != RoleAdmin || c.Sid != "session-1" {
		t.Fatalf("verify: %+v %v", c, err)
	}
	now = now.Add(15 * time.Minute)
	if _, err := s.verifyJWT(tok); err == nil || !strings.Contains(err.Error(), "token_expired") {
		t.Errorf("expired token: %v", err)
	}
	k2, _ := ParseKey(strings.Repeat("cd", 32))
	s2, _ := New(Config{Store: nopStoreInternal{}, Key: k2})
	tok2, _ := s2.signJWT(User{ID: 7}, "session-1", time.Now())
	if _, err := s.verifyJWT(tok2); err == nil {
		t.Error("token of another key accepted")
	}
}

type nopStoreInternal struct{ Store }
