package attendance

import "testing"

// BenchmarkDeriveDay: one person's ordinary day (two events), the unit of
// work the monthly recap repeats 310,000 times for a regency.
func BenchmarkDeriveDay(b *testing.B) {
	c := DefaultConfig()
	r := Rules{}.WithDefaults()
	d := Date{Year: 2026, Month: 10, Day: 5}
	loc := c.Location()
	in := DayInput{Date: d, Events: []Event{
		{Kind: KindIn, Time: d.midnight(loc).Add(7*3600e9 + 45*60e9), Synced: true},
		{Kind: KindOut, Time: d.midnight(loc).Add(16*3600e9 + 5*60e9), Synced: true},
	}}
	b.ReportAllocs()
	for range b.N {
		if _, err := r.DeriveDay(c, in, afterAll); err != nil {
			b.Fatal(err)
		}
	}
}
