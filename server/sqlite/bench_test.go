package sqlite_test

import (
	"testing"

	"github.com/hadir-id/hadir/server/storetest"
)

func BenchmarkIngest(b *testing.B)     { storetest.BenchIngest(b, Backend, 4) }
func BenchmarkRosterPull(b *testing.B) { storetest.BenchRosterPull(b, Backend) }
