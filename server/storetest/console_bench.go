package storetest

import (
	"testing"

	"github.com/hadir-id/hadir/server"
)

// FillRegency fills st as BenchmarkRecap does (issue 14): 10,000 people
// in 40 units (U00 of 4,000, U01-U15 of 250, U16-U39 of about 94), two
// events per person and working day for HADIR_BENCH_MONTHS months ending
// with October 2026 (a year, 5.2 million events, by default), 300 pending
// manual events and 600 exceptions. It returns the number of events. The
// console's overhead benchmark uses it.
func FillRegency(tb testing.TB, st server.Store) int {
	return fillRegency(tb, st, recapMonths(tb))
}
