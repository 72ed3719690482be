package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hadir-id/hadir/storage"
	bolt "go.etcd.io/bbolt"
)

// kioskStore makes a store with a few events, keyed through HADIR_KEY as
// the commands read it.
func kioskStore(t *testing.T) (string, []storage.Event) {
	t.Helper()
	key := bytes.Repeat([]byte{7}, storage.KeySize)
	t.Setenv(storage.EnvKey, hex.EncodeToString(key))
	dir := t.TempDir()
	opts, err := storage.OptionsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var evs []storage.Event
	for i := 0; i < 4; i++ {
		e, err := st.RecordEvent(context.Background(), storage.Event{Kind: storage.KindIn, NIP: "198503102010011001",
			Time: time.Date(2025, 3, 10, 0, 30+i, 0, 0, time.UTC), Zone: "Asia/Makassar"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return dir, evs
}

func TestVerifyLedgerCommand(t *testing.T) {
	dir, evs := kioskStore(t)
	code, lines, stderr := run(t, "verify-ledger", "--data", dir)
	if code != 0 || len(lines) != 1 || lines[0]["ok"] != true || lines[0]["entries"] != float64(4) {
		t.Fatalf("intact store: exit %d, %v, %s", code, lines, stderr)
	}
	// Change one event's NIP in the file (the "events" bucket).
	db, err := bolt.Open(filepath.Join(dir, storage.DBFile), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		v := append([]byte(nil), b.Get([]byte(evs[2].ID))...)
		i := bytes.Index(v, []byte("198503102010011001"))
		v[i+17] = '2'
		return b.Put([]byte(evs[2].ID), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, lines, stderr = run(t, "verify-ledger", "--data", dir)
	broken, _ := lines[0]["broken"].(map[string]any)
	if code != 1 || lines[0]["ok"] != false || broken["seq"] != float64(3) || broken["event_id"] != evs[2].ID {
		t.Fatalf("tampered store: exit %d, %v, %s", code, lines, stderr)
	}
	if code, _, _ := run(t, "verify-ledger"); code != 2 {
		t.Fatalf("without --data: exit %d, want 2", code)
	}
}

func TestBackupCommand(t *testing.T) {
	dir, evs := kioskStore(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	code, lines, stderr := run(t, "backup", "--data", dir, out)
	if code != 0 || len(lines) != 1 || lines[0]["audited"] != true {
		t.Fatalf("backup: exit %d, %v, %s", code, lines, stderr)
	}
	restored := t.TempDir()
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(restored, storage.DBFile), raw, 0o600)
	opts, _ := storage.OptionsFromEnv()
	st, err := storage.Open(restored, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Event(context.Background(), evs[3].ID); err != nil {
		t.Fatalf("event missing from backup: %v", err)
	}
	if code, _, _ := run(t, "backup", "--data", dir, out); code != 1 {
		t.Fatalf("backup over an existing file: exit %d, want 1", code)
	}
	if code, _, _ := run(t, "backup", "--data", t.TempDir(), filepath.Join(t.TempDir(), "x.db")); code != 1 {
		t.Fatalf("backup of an empty directory: exit %d, want 1", code)
	}
}
