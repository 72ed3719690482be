package storetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

var _ = register("RecapParallel", testRecapParallel)

// A recap of 1,000 people or more is read and derived in NIP ranges at
// once (server.Config.RecapParts). Two servers on one database, one
// cutting the scope into three parts and one reading it whole, must
// produce the same bytes for the LB.1 of all units and the LH of a unit
// of 1,100, over people with late, early and absent days.
func testRecapParallel(t *testing.T, b Backend) {
	at := func(c *server.Config) { c.RecapParts = 3 }
	e := Start(t, b, at)
	e.Clock.Advance(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Sub(time.Now()))
	unitOf := func(i int) string {
		if i < 1_100 {
			return "P1"
		}
		return "P2"
	}
	f := newFiller(t, e.Store, 1_200, unitOf)
	f.workDays(1, 8)
	if n := f.done(); n < 40_000 {
		t.Fatalf("filled %d events", n)
	}
	serial := e.Another(func(c *server.Config) { c.RecapParts = 1 })
	admin := e.As("admin", server.RoleAdmin)
	for _, c := range []struct {
		path  string
		lines int
		last  string
	}{
		{"/api/v1/recap/monthly?unit=all&month=2026-10&format=csv", 1_200, "Pegawai 01199"},
		{"/api/v1/recap/daily?unit=P1&date=2026-10-14&format=csv", 1_100, "Pegawai 01099"},
	} {
		path := c.path
		par := e.DoRaw("GET", path, admin, nil)
		one := serial.DoRaw("GET", path, admin, nil)
		if par.Status != 200 || one.Status != 200 {
			t.Fatalf("%s: %d / %d %s", path, par.Status, one.Status, truncate(par.Raw))
		}
		if !bytes.Equal(par.Raw, one.Raw) {
			t.Errorf("%s: parallel and serial recaps differ:\n%s\n---\n%s", path, truncate(par.Raw), truncate(one.Raw))
		}
		body := string(par.Raw)
		if rows := strings.Count(body, "\n"); rows < c.lines {
			t.Errorf("%s: %d lines for %d people", path, rows, c.lines)
		}
		if !strings.Contains(body, "Pegawai 00000") || !strings.Contains(body, c.last) {
			t.Errorf("%s: first or last person missing", path)
		}
	}
}
