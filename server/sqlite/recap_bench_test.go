package sqlite_test

import (
	"testing"

	"github.com/hadir-id/hadir/server/storetest"
)

// BenchmarkRecap: the regency-sized recap (issue 14) on SQLite.
func BenchmarkRecap(b *testing.B) { storetest.BenchRecap(b, Backend) }
