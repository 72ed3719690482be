package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hadir-id/hadir/internal/clock"
)

// populated creates a store with employees, templates and events spread
// over many pages, closes it and returns its directory.
func populated(t *testing.T) (string, *clock.Manual) {
	t.Helper()
	s, c, dir := openTest(t)
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		nip := validNIP(i)
		mustEmployee(t, s, nip, fmt.Sprintf("Pegawai %d", i))
		if _, err := s.AddTemplates(ctx, nip, []Template{{Descriptor: descriptor(float32(i))}, {Descriptor: descriptor(float32(i) + 0.5)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordEvent(ctx, sampleEvent(i, c.Now()), fakeJPEG(3000+i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	return dir, c
}

func highWater(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

func TestCorruptFileIsReportedAndLeftUntouched(t *testing.T) {
	src, c := populated(t)
	good := readFile(t, dbPath(src))
	hw := highWater(t, dbPath(src))
	cases := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"random bytes", func(b []byte) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			out := make([]byte, 64<<10)
			for i := range out {
				out[i] = byte(r.Uint32())
			}
			return out
		}},
		{"meta pages zeroed", func(b []byte) []byte { clear(b[:8192]); return b }},
		{"truncated to 100 bytes", func(b []byte) []byte { return b[:100] }},
		{"truncated inside the second meta page", func(b []byte) []byte { return b[:5000] }},
		{"truncated to half its pages", func(b []byte) []byte { return b[:hw/2/4096*4096] }},
		{"data pages overwritten", func(b []byte) []byte {
			for i := 2 * 4096; i < len(b); i++ {
				b[i] = 0xAB
			}
			return b
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			damaged := tc.damage(append([]byte(nil), good...))
			if err := os.WriteFile(dbPath(dir), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			err := openAndRead(dir, c)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), dbPath(dir)) {
				t.Fatalf("got %v, want ErrCorrupt naming %s", err, dbPath(dir))
			}
			if !bytes.Equal(damaged, readFile(t, dbPath(dir))) {
				t.Fatal("the damaged file was modified")
			}
		})
	}
}

// openAndRead opens the store and reads everything; the first error.
func openAndRead(dir string, c *clock.Manual) error {
	s, err := Open(dir, testOptions(c))
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Employees(ctx); err != nil {
		return err
	}
	if err := s.ForEachTemplate(ctx, func(Template) error { return nil }); err != nil {
		return err
	}
	_, err = s.VerifyLedger(ctx)
	return err
}

func TestForeignBoltFileRefused(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	db.Close()
	before := readFile(t, dbPath(dir))
	if _, err := Open(dir, testOptions(newClock())); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "not a hadir store") {
		t.Fatalf("Open of another program's bbolt file: %v", err)
	}
	if !bytes.Equal(before, readFile(t, dbPath(dir))) {
		t.Fatal("file changed")
	}
}

func setSchema(t *testing.T, dir string, v uint32) {
	rawUpdate(t, dir, func(tx *bolt.Tx) error { return tx.Bucket(bktMeta).Put(keySchema, u32(v)) })
}

func TestNewerSchemaRefused(t *testing.T) {
	s, c, dir := openTest(t)
	mustEmployee(t, s, validNIP(1), "A")
	s.Close()
	setSchema(t, dir, schemaVersion+1)
	before := readFile(t, dbPath(dir))
	_, err := Open(dir, testOptions(c))
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade hadir") || !strings.Contains(err.Error(), dbPath(dir)) {
		t.Fatalf("Open of a newer schema: %v", err)
	}
	if !bytes.Equal(before, readFile(t, dbPath(dir))) {
		t.Fatal("file changed")
	}
}

// writeV1 builds a schema-1 store the way the prototype wrote it.
func writeV1(t *testing.T, dir string, nips []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		m, _ := tx.CreateBucket([]byte("meta"))
		m.Put([]byte("schema"), u32(1))
		eb, _ := tx.CreateBucket([]byte("employees"))
		tb, _ := tx.CreateBucket([]byte("templates"))
		for i, nip := range nips {
			v, _ := json.Marshal(v1Employee{NIP: nip, Name: fmt.Sprintf("Lama %d", i), Unit: "Setda",
				Active: i%2 == 0, Created: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)})
			eb.Put([]byte(nip), v)
			raw := make([]byte, 8+512)
			binary.BigEndian.PutUint64(raw, uint64(time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC).Unix()))
			d := descriptor(float32(i) + 0.25)
			for j, f := range d {
				binary.LittleEndian.PutUint32(raw[8+4*j:], mathFloat32bits(f))
			}
			tb.Put([]byte(nip+"/T"+fmt.Sprint(i)), raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateFromSchema1(t *testing.T) {
	dir := t.TempDir()
	nips := []string{validNIP(1), validNIP(2), validNIP(3)}
	writeV1(t, dir, nips)
	c := newClock()
	o := testOptions(c)
	o.Key = nil // a schema-1 store had no key: the key file is created now
	s, err := Open(dir, o)
	if err != nil {
		t.Fatalf("Open schema 1: %v", err)
	}
	ctx := context.Background()
	emps, err := s.Employees(ctx)
	if err != nil || len(emps) != 3 {
		t.Fatalf("Employees after migration: %v %v", emps, err)
	}
	if emps[0].Version != 1 || emps[0].Status != StatusActive || emps[1].Status != StatusInactive || emps[0].Name != "Lama 0" {
		t.Fatalf("migrated employees %+v", emps)
	}
	ts, err := s.Templates(ctx, nips[2])
	if err != nil || len(ts) != 1 || ts[0].Descriptor != descriptor(2.25) || ts[0].ID != "T2" {
		t.Fatalf("migrated template %v %v", ts, err)
	}
	// No plaintext descriptor survives, not even in free pages.
	var plain bytes.Buffer
	d := descriptor(2.25)
	binary.Write(&plain, binary.LittleEndian, d[:16])
	if bytes.Contains(readFile(t, dbPath(dir)), plain.Bytes()) {
		t.Fatal("plaintext descriptor left in the migrated file")
	}
	if _, err := os.Stat(dbPath(dir) + ".compact"); !os.IsNotExist(err) {
		t.Fatalf("compaction left a temporary file: %v", err)
	}
	// New features work on the migrated store.
	if _, err := s.RecordEvent(ctx, sampleEvent(1, c.Now()), nil); err != nil {
		t.Fatal(err)
	}
	log, _ := s.AuditLog(ctx, 0, 10)
	if len(log) == 0 || log[0].Action != ActionMigrate {
		t.Fatalf("migration not audited: %+v", log)
	}
	s.Close()
	// Reopening does not migrate again and needs the key now.
	o.Key = bytes.Repeat([]byte{1}, KeySize)
	if _, err := Open(dir, o); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("migrated store with another key: %v", err)
	}
	o.Key = nil
	s, err = Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if log2, _ := s.AuditLog(ctx, 0, 100); countAction(log2, ActionMigrate) != 1 {
		t.Fatal("migrated twice")
	}
}

func countAction(log []Audit, a AuditAction) int {
	n := 0
	for _, e := range log {
		if e.Action == a {
			n++
		}
	}
	return n
}

func TestSecondProcessGetsErrLocked(t *testing.T) {
	s, c, dir := openTest(t)
	s.Close()
	ch := startChild(t, "hold", dir)
	if !ch.out.Scan() || ch.out.Text() != "ready" {
		t.Fatalf("child did not open the store: %v", ch.out.Err())
	}
	o := testOptions(c)
	o.Timeout = 200 * time.Millisecond
	_, err := Open(dir, o)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dbPath(dir)) {
		t.Fatalf("Open while another process holds the store: %v, want ErrLocked naming the file", err)
	}
	ch.stdin.Close()
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	s, err = Open(dir, o)
	if err != nil {
		t.Fatalf("Open after the holder exited: %v", err)
	}
	s.Close()
}

// TestDiskFullKeepsEarlierRecords runs the recorder in a child process
// whose file size limit (RLIMIT_FSIZE) is just above the store's size,
// so a commit fails as it would on a full disk (EFBIG here, ENOSPC on a
// real disk; both map to ErrStorageFull). This needs no root and no
// tmpfs, so it runs the same on a developer machine and in CI.
func TestDiskFullKeepsEarlierRecords(t *testing.T) {
	dir, c := populated(t)
	fi, err := os.Stat(dbPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	limit := fi.Size() + 256<<10
	ch := startChild(t, "fill", dir, fmt.Sprintf("%s=%d", envFsize, limit))
	var acked []string
	verdict := ""
	for ch.out.Scan() {
		line := ch.out.Text()
		if strings.HasPrefix(line, "FULL") || strings.HasPrefix(line, "OTHER") {
			verdict = line
			break
		}
		acked = append(acked, line)
	}
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if !strings.HasPrefix(verdict, "FULL") || !strings.Contains(verdict, "storage full") {
		t.Fatalf("child's last write: %q, want ErrStorageFull", verdict)
	}
	if len(acked) == 0 {
		t.Fatal("no event fitted before the limit; the test proves nothing")
	}
	if err := checkAcked(dir, countOnce(acked)); err != nil {
		t.Fatal(err)
	}
	// Without the limit the same store records again.
	s, err := Open(dir, testOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.RecordEvent(context.Background(), sampleEvent(7, c.Now()), fakeJPEG(16<<10)); err != nil {
		t.Fatalf("record after space freed: %v", err)
	}
	t.Logf("%d events fitted below the %d-byte limit", len(acked), limit)
}

func countOnce(ids []string) map[string]int {
	m := map[string]int{}
	for _, id := range ids {
		m[id]++
	}
	return m
}

func TestMaxSizeIsStorageFull(t *testing.T) {
	dir, c := populated(t)
	o := testOptions(c)
	fi, _ := os.Stat(dbPath(dir))
	o.MaxSize = int(fi.Size())
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	n, _ := s.OutboxLen(ctx)
	var last error
	for i := 0; i < 200 && last == nil; i++ {
		_, last = s.RecordEvent(ctx, sampleEvent(i, c.Now()), fakeJPEG(32<<10))
	}
	if !errors.Is(last, ErrStorageFull) {
		t.Fatalf("writes past MaxSize: %v, want ErrStorageFull", last)
	}
	if m, _ := s.OutboxLen(ctx); m < n {
		t.Fatalf("outbox shrank from %d to %d", n, m)
	}
	if _, err := s.VerifyLedger(ctx); err != nil {
		t.Fatal(err)
	}
}
