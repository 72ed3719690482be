package storetest

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchMetricsScrape measures one /metrics scrape with about events stored
// (issue 13, finding 12: the scrape counted the whole events table). The
// table is grown by doubling real uploaded events in SQL; open opens the
// test database directly. Reports the scrape time, the event estimate the
// scrape gave and, for comparison, the time of an exact COUNT(*).
func BenchMetricsScrape(b *testing.B, bk Backend, events int, open func(dsn string) (*sql.DB, error)) {
	e := Start(b, bk)
	d := e.Register("K1")
	evs := make([]map[string]any, 1000)
	now := time.Now()
	for i := range evs {
		evs[i] = d.chain.Next("in", NIP(i%50+1), now)
	}
	e.Want(e.DoRaw("POST", "/api/v1/events", d.Token, Batch(evs...)), 200, "")
	db, err := open(e.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the temporary table lives on one connection
	for n, round := len(evs), 0; n < events; n, round = n*2, round+1 {
		// Schema-agnostic: copy every row with a fresh id and seq.
		for _, q := range []string{
			`CREATE TEMP TABLE ev_copy AS SELECT * FROM events`,
			`UPDATE ev_copy SET id = id || 'x` + strconv.Itoa(round) + `', seq = seq + (SELECT MAX(seq) FROM events)`,
			`INSERT INTO events SELECT * FROM ev_copy`,
			`DROP TABLE ev_copy`,
		} {
			if _, err := db.Exec(q); err != nil {
				b.Fatalf("grow events (%s): %v", q, err)
			}
		}
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	var exact int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&exact); err != nil {
		b.Fatal(err)
	}
	countMS := float64(time.Since(t0).Microseconds()) / 1000
	var estimate int64
	b.ResetTimer()
	for b.Loop() {
		r := e.DoRaw("GET", "/metrics", e.MetricsToken, nil)
		if r.Status != 200 {
			b.Fatalf("metrics: %d", r.Status)
		}
		for _, line := range strings.Split(string(r.Raw), "\n") {
			if v, ok := strings.CutPrefix(line, "hadir_events_stored "); ok {
				fmt.Sscan(v, &estimate)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(exact), "events")
	b.ReportMetric(float64(estimate), "events-estimate")
	b.ReportMetric(countMS, "exact-count-ms")
}
