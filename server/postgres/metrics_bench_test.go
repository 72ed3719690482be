package postgres_test

import (
	"database/sql"
	"testing"

	"github.com/hadir-id/hadir/server/storetest"
)

func BenchmarkMetricsScrape(b *testing.B) {
	storetest.BenchMetricsScrape(b, Backend, 2_000_000, func(dsn string) (*sql.DB, error) { return sql.Open("pgx", dsn) })
}
