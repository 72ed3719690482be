package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesKeyFileAndReopens(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	o := testOptions(c)
	o.Key = nil // use the key file
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	mustEmployee(t, s, "198503102010011001", "Siti Aminah")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", fi.Mode().Perm())
	}
	if _, err := ParseKey(string(readFile(t, filepath.Join(dir, KeyFileName)))); err != nil {
		t.Fatalf("key file content: %v", err)
	}
	s, err = Open(dir, o)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	e, err := s.Employee(context.Background(), "198503102010011001")
	if err != nil || e.Name != "Siti Aminah" {
		t.Fatalf("after reopen: %+v %v", e, err)
	}
	if s.DeviceID() != "KIOSK-TEST-1" {
		t.Fatalf("device ID %q", s.DeviceID())
	}
}

func TestOpenGeneratesDeviceIDOnce(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(newClock())
	o.DeviceID = ""
	var ids []string
	for i := 0; i < 2; i++ {
		s, err := Open(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.DeviceID())
		s.Close()
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Fatalf("device IDs %q, want one stable non-empty ID", ids)
	}
}

func TestWrongKeyChangesNothing(t *testing.T) {
	s, c, dir := openTest(t)
	mustEmployee(t, s, "198503102010011001", "Siti Aminah")
	s.Close()
	before := readFile(t, dbPath(dir))

	o := testOptions(c)
	o.Key = bytes.Repeat([]byte{0x43}, KeySize)
	_, err := Open(dir, o)
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with wrong key: %v, want ErrWrongKey", err)
	}
	if !strings.Contains(err.Error(), dbPath(dir)) {
		t.Fatalf("error %q does not name the file", err)
	}
	if !bytes.Equal(before, readFile(t, dbPath(dir))) {
		t.Fatal("opening with the wrong key changed the file")
	}
	// The right key still works.
	s2, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestMissingKeyFileForExistingStore(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(newClock())
	o.Key = nil
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	keyFile := filepath.Join(dir, KeyFileName)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, dbPath(dir))
	_, err = Open(dir, o)
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("Open without key file: %v, want ErrNoKey", err)
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatalf("a new key file was created for an existing store: %v", err)
	}
	if !bytes.Equal(before, readFile(t, dbPath(dir))) {
		t.Fatal("file changed")
	}
}

func TestKeyFileModeAndContentChecked(t *testing.T) {
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"world readable", strings.Repeat("ab", KeySize), 0o644, "chmod 600"},
		{"short", "abcd", 0o600, "hex characters"},
		{"not hex", strings.Repeat("zz", KeySize), 0o600, "hex characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			kf := filepath.Join(dir, "k")
			if err := os.WriteFile(kf, []byte(c.content), c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(kf, c.mode); err != nil {
				t.Fatal(err)
			}
			o := testOptions(newClock())
			o.Key, o.KeyFile = nil, kf
			_, err := Open(dir, o)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), kf) {
				t.Fatalf("Open = %v, want error naming %s and %q", err, kf, c.want)
			}
		})
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv(EnvKey, strings.Repeat("0f", KeySize))
	t.Setenv(EnvKeyFile, "/etc/hadir/key")
	o, err := OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(o.Key, bytes.Repeat([]byte{0x0f}, KeySize)) || o.KeyFile != "/etc/hadir/key" {
		t.Fatalf("OptionsFromEnv = key %x file %q", o.Key, o.KeyFile)
	}
	t.Setenv(EnvKey, "nothex")
	if _, err := OptionsFromEnv(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad %s: %v", EnvKey, err)
	}
}

func TestClosedStoreSaysClosed(t *testing.T) {
	s, _, _ := openTest(t)
	s.Close()
	_, err := s.Employees(context.Background())
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Employees after Close: %v, want ErrClosed", err)
	}
}
