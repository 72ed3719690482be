package storetest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/server"
)

var _ = register("DowngradeRefused", testDowngradeRefused)

// testDowngradeRefused: a database that a newer hadir-server migrated
// (a schema_migrations version this build does not know) is refused at
// open with ErrNewerSchema, instead of being written by older code.
func testDowngradeRefused(t *testing.T, b Backend) {
	ctx := context.Background()
	dsn := b.NewDSN(t)
	st, err := b.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	driver, conn := "sqlite3", strings.TrimPrefix(dsn, "sqlite:")
	if strings.HasPrefix(dsn, "postgres") {
		driver, conn = "pgx", dsn
	}
	db, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_ns) VALUES (9999, 0)`); err != nil {
		db.Close()
		t.Fatalf("mark the schema as newer: %v", err)
	}
	db.Close()

	st, err = b.Open(ctx, dsn, nil)
	if err == nil {
		st.Close()
		t.Fatal("a database migrated by a newer server (version 9999) was opened")
	}
	if !errors.Is(err, server.ErrNewerSchema) || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("open newer schema: got %v, want ErrNewerSchema naming version 9999", err)
	}
}
