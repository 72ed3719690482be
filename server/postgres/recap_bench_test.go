package postgres_test

import (
	"testing"

	"github.com/hadir-id/hadir/server/storetest"
)

// BenchmarkRecap: the regency-sized recap (issue 14) on PostgreSQL.
func BenchmarkRecap(b *testing.B) { storetest.BenchRecap(b, Backend) }
