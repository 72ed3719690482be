package storetest

import (
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"

	"github.com/hadir-id/hadir/internal/testutil"
)

// EnvPostgres names the variable holding the PostgreSQL test DSN.
const EnvPostgres = "HADIR_TEST_POSTGRES"

// PostgresSchema creates a schema of its own for one test in the database
// named by HADIR_TEST_POSTGRES and returns a DSN whose search_path selects
// it; the schema is dropped afterwards. Without the variable the test is
// skipped locally and fails in CI.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		testutil.Missing(t, "PostgreSQL: set %s=postgres://hadir:hadir@127.0.0.1:5432/hadir_test?sslmode=disable (CI starts Debian's postgresql)", EnvPostgres)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "t_" + strings.ToLower(NewULID())
	if _, err := db.Exec(`CREATE SCHEMA ` + name); err != nil {
		t.Fatalf("create schema (is PostgreSQL running and %s right?): %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + name + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
