package sqlite_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/sqlite"
	"github.com/hadir-id/hadir/server/storetest"
)

// Backend is the SQLite store for the shared suite: a file per test.
var Backend = storetest.Backend{
	Name:   "sqlite",
	NewDSN: func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "hadir.db") },
	Open: func(ctx context.Context, dsn string, c *server.Cipher) (server.Store, error) {
		return sqlite.Open(ctx, dsn, c)
	},
}

func TestSuite(t *testing.T) { storetest.Run(t, Backend) }

// TestEncryptedAtRest: neither descriptors nor photos appear in clear in
// the database file.
func TestEncryptedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hadir.db")
	key := storetest.NewKey(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, key.Cipher())
	if err != nil {
		t.Fatal(err)
	}
	tpls := storetest.Templates(storetest.Seed(1), 3)
	photo := []byte("PHOTO-BYTES-" + strings.Repeat("x", 200))
	tpls[0].Photo = photo
	if _, err := st.PutEmployee(ctx, server.Employee{NIP: storetest.NIP(1), Name: "A", Unit: "U", Status: "active"}, tpls, server.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close() // checkpoints the WAL into the file
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range tpls {
		var b [512]byte
		for i, f := range tp.Descriptor {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
		}
		if bytes.Contains(raw, b[:64]) {
			t.Fatal("a descriptor is stored in clear")
		}
	}
	if bytes.Contains(raw, photo[:20]) {
		t.Fatal("a photo is stored in clear")
	}
	if !bytes.Contains(raw, []byte(storetest.NIP(1))) {
		t.Fatal("test is broken: the NIP itself is not in the file")
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), "sqlite:", nil); err == nil {
		t.Error("empty path accepted")
	}
	if _, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), nil); err == nil {
		t.Error("unwritable path accepted")
	}
}
