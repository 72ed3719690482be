package postgres_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/postgres"
	"github.com/hadir-id/hadir/server/storetest"
)

// Backend is the PostgreSQL store for the shared suite: a schema per test
// in the database named by HADIR_TEST_POSTGRES.
var Backend = storetest.Backend{
	Name:   "postgres",
	NewDSN: storetest.PostgresSchema,
	Open: func(ctx context.Context, dsn string, c *server.Cipher) (server.Store, error) {
		return postgres.Open(ctx, dsn, c)
	},
}

func TestSuite(t *testing.T) { storetest.Run(t, Backend) }

func TestOpenBadDSN(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://nobody:secret-pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", nil)
	if err == nil {
		t.Fatal("opening an unreachable database: no error")
	}
	if strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("error leaks the password: %v", err)
	}
}

// TestEncryptedAtRest: descriptors and photos are not stored in clear.
func TestEncryptedAtRest(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, storetest.NewKey(t).Cipher())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tpls := storetest.Templates(storetest.Seed(1), 1)
	tpls[0].Photo = []byte("PHOTO-BYTES-xxxxxxxxxxxxxxxx")
	if _, err := st.PutEmployee(ctx, server.Employee{NIP: storetest.NIP(1), Name: "A", Unit: "U", Status: "active"}, tpls, server.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var desc, photo []byte
	if err := db.QueryRow(`SELECT descriptor, photo FROM templates`).Scan(&desc, &photo); err != nil {
		t.Fatal(err)
	}
	var plain [512]byte
	for i, f := range tpls[0].Descriptor {
		binary.LittleEndian.PutUint32(plain[4*i:], math.Float32bits(f))
	}
	if bytes.Contains(desc, plain[:32]) || len(desc) != 12+512+16 {
		t.Errorf("descriptor column is %d bytes, not AES-GCM of 512", len(desc))
	}
	if bytes.Contains(photo, []byte("PHOTO-BYTES")) {
		t.Error("photo stored in clear")
	}
}
