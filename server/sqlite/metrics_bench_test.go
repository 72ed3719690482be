package sqlite_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/server/storetest"
)

func BenchmarkMetricsScrape(b *testing.B) {
	storetest.BenchMetricsScrape(b, Backend, 2_000_000, func(dsn string) (*sql.DB, error) {
		return sql.Open("sqlite3", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_busy_timeout=10000")
	})
}
