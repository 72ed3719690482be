package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/console"
	"github.com/hadir-id/hadir/server/storetest"
)

// BenchmarkConsoleRegency times each console page backed by the API and
// the API requests behind it (the data the page shows) at the regency
// size of issue 14: 10,000 people in 40 units, a year of events (5.2
// million; HADIR_BENCH_MONTHS=1 fills one month, 440,000).
// The console's overhead is page minus api (reported as overhead-ms/op):
// session, units list, decoding, template and formatting (target: <= 50
// ms). Run:
//
//	go test -run '^$' -bench ConsoleRegency -benchtime 5x ./server/console
func BenchmarkConsoleRegency(b *testing.B) {
	now := time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC) // Friday 17:00 WIB
	clock := func() time.Time { return now }
	env := storetest.Start(b, backend, func(c *server.Config) { c.Now = clock })
	start := time.Now()
	n := storetest.FillRegency(b, env.Store)
	b.Logf("filled 10,000 people, %d events in %s", n, time.Since(start).Round(time.Second))
	c, err := console.New(console.Options{Server: env.Server, Store: env.Store, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	env.Server.MountPages(c)
	pw := env.User("admin", server.RoleAdmin)
	tok, _ := env.Login("admin", pw)
	cl := formLogin(b, env.URL, "admin", pw)

	var today []string // the Today page shows every unit's day and the fleet
	for u := range 40 {
		unit := fmt.Sprintf("U%02d", u)
		pages := 1 // LH pages of 1,000 rows the page reads: U00 has 4,000 people
		if u == 0 {
			pages = 5
		}
		for p := range pages {
			today = append(today, fmt.Sprintf("/api/v1/recap/daily?unit=%s&offset=%d&limit=1000", unit, p*1000))
		}
		today = append(today, "/api/v1/manual-events?unit="+unit+"&status=pending")
	}
	today = append(today, "/api/v1/devices")
	m := "2026-10"
	q := url.QueryEscape
	pairs := []struct {
		name string
		page string
		api  []string
	}{
		{"today_40units", "/today", today},
		{"lb1_unit250", "/recap/monthly?unit=U01&month=" + m, []string{"/api/v1/recap/monthly?unit=U01&offset=0&limit=50&month=" + m}},
		{"lb1_unit4000", "/recap/monthly?unit=U00&month=" + m, []string{"/api/v1/recap/monthly?unit=U00&offset=0&limit=50&month=" + m}},
		{"lb1_all", "/recap/monthly?unit=all&month=" + m, []string{"/api/v1/recap/monthly?unit=all&offset=0&limit=50&month=" + m}},
		{"lh_unit4000", "/recap/daily?unit=U00&date=2026-10-14", []string{"/api/v1/recap/daily?unit=U00&date=2026-10-14&offset=0&limit=50"}},
		{"lb2_person", "/recap/person/" + q(storetest.NIP(4321)) + "?month=" + m, []string{"/api/v1/recap/person/" + q(storetest.NIP(4321)) + "?month=" + m}},
		{"approvals", "/approvals", []string{"/api/v1/approvals?state=pending&limit=50", "/api/v1/exception-types"}},
		{"employees_search", "/employees?q=Pegawai+0432", []string{"/api/v1/employees?unit=&q=Pegawai+0432"}},
	}
	// Each iteration runs the API requests and then the page, so both
	// see the same load on this shared machine; the metrics are the mean
	// wall times and their difference.
	for _, p := range pairs {
		b.Run(p.name, func(b *testing.B) {
			var api, page time.Duration
			for b.Loop() {
				t0 := time.Now()
				for _, a := range p.api {
					benchGet(b, http.DefaultClient, env.URL+a, tok)
				}
				t1 := time.Now()
				benchGet(b, cl, env.URL+p.page, "")
				api, page = api+t1.Sub(t0), page+time.Since(t1)
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
			b.ReportMetric(ms(api), "api-ms/op")
			b.ReportMetric(ms(page), "page-ms/op")
			b.ReportMetric(ms(page-api), "overhead-ms/op")
		})
	}
}
