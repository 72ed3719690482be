package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hadir-id/hadir/server/storetest"
)

// TestScreenshots writes a PNG of every console page, on seeded data and
// at 1366x768, to $HADIR_CONSOLE_SCREENSHOTS (make screenshots sets it);
// without it the test is skipped.
func TestScreenshots(t *testing.T) {
	dir := screenshotDir()
	if dir == "" {
		t.Skip("HADIR_CONSOLE_SCREENSHOTS is not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(s.browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.Want(s.Do("PUT", "/api/v1/settings/signature", s.admin, map[string]string{"place": "Bondowoso", "title": "Kepala Badan Kepegawaian dan Pengembangan SDM",
		"name": "Dra. Siti Rahmah, M.Si.", "nip": storetest.NIP(50)}), 200, "")
	// A held event, a roster and a holiday, for their pages.
	day, err := time.ParseInLocation(time.DateOnly, s.today, wibLoc(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Want(s.Do("POST", "/api/v1/events", s.k1.Token, storetest.Batch(s.ch1.Next("in", s.nips["DINSOS"][0], day.Add(8*time.Hour)),
		s.ch1.Next("in", storetest.NIP(77), day.Add(9*time.Hour)))), 200, "")
	s.Want(s.DoType("PUT", "/api/v1/rosters?unit=DINKES", s.admin, "text/csv", strings.NewReader(s.nips["DINKES"][0]+","+s.today+",OFF\n"+
		s.nips["DINKES"][1]+","+s.today+",OFF\n")), 200, "")
	s.open("/login?lang=id")
	shot("login")
	s.login("admin")
	pages := []struct{ name, path string }{
		{"today", "/today?lang=id"}, {"today-en", "/today?lang=en"},
		{"kiosks", "/kiosks?lang=id"}, {"employees", "/employees"}, {"employee", "/employees/" + s.nips["DINKES"][0]},
		{"users", "/users"}, {"audit", "/audit"}, {"approvals", "/approvals"}, {"settings", "/settings"},
		{"lh", "/recap/daily?unit=DINKES"}, {"lb1", "/recap/monthly?unit=DINKES"}, {"lb1-print", "/recap/monthly?unit=DINKES&print=1"}, {"lb2", "/recap/person/" + s.nips["DINKES"][0]},
		{"held", "/held"}, {"roster", "/settings/roster?unit=DINKES"},
	}
	for _, p := range pages {
		s.open(p.path)
		shot(p.name)
	}
	// The print view as the browser prints it (print media: no menu,
	// bordered table, signature block).
	media := func(m string) {
		if _, err := chromedp.Call(s.browser, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	s.open("/recap/monthly?unit=DINKES&print=1")
	media("print")
	shot("lb1-printed")
	media("")
	s.open("/kiosks")
	s.run(chromedp.Click(chromedp.CSS("details.card summary")), chromedp.SetValue(chromedp.ID("units"), "DINKES"),
		chromedp.Click(chromedp.ID("create-code")), chromedp.WaitVisible(chromedp.ID("code")))
	shot("code")
	s.open("/settings/roster?unit=DINKES")
	s.upload("#rfile", "nip,date,shift\n"+s.nips["DINSOS"][0]+","+s.today+",OFF\n"+s.nips["DINKES"][0]+",2026-02-30,OFF\n", "#upload-roster", "")
	shot("roster-errors")
	s.login("op")
	s.open("/users")
	shot("forbidden")
}
