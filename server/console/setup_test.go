package console_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/console"
	"github.com/hadir-id/hadir/server/sqlite"
	"github.com/hadir-id/hadir/server/storetest"
)

// backend is a fresh SQLite database file per test.
var backend = storetest.Backend{
	Name:   "sqlite",
	NewDSN: func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "hadir.db") },
	Open: func(ctx context.Context, dsn string, c *server.Cipher) (server.Store, error) {
		return sqlite.Open(ctx, dsn, c)
	},
}

// site is a running hadir-server with the console mounted, seeded through
// the API, and a headless Chromium to drive it.
type site struct {
	*storetest.Env
	t       *testing.T
	browser context.Context
	admin   string // admin access token (API)
	pw      map[string]string
	today   string // the server's date in WIB
	nips    map[string][]string
	k1, k2  *storetest.Device
	ch1     *storetest.Chain // K1's event chain (seed events use it)
	ch2     *storetest.Chain
}

// wibLoc is the units' zone (the default schedule's).
func wibLoc(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// mount serves the console on env's server, on the server's clock.
func mount(tb testing.TB, env *storetest.Env) {
	tb.Helper()
	c, err := console.New(console.Options{Server: env.Server, Store: env.Store, Now: env.Clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	env.Server.MountPages(c)
}

// chromium finds the browser, skipping locally and failing in CI without.
func chromium(t testing.TB) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testutil.Missing(t, "chromium (apt-get install -y chromium)")
	return ""
}

// newSite starts the server on 127.0.0.1 with a real SQLite database, moves
// its clock to 17:00 WIB of the next weekday (so today's check-ins are in
// the past), seeds two units through the API and starts Chromium.
func newSite(t *testing.T) *site {
	exe := chromium(t)
	env := storetest.Start(t, backend)
	loc := wibLoc(t)
	now := env.Clock.Now().In(loc)
	target := time.Date(now.Year(), now.Month(), now.Day(), 17, 0, 0, 0, loc)
	for !target.After(now) || target.Weekday() == time.Saturday || target.Weekday() == time.Sunday {
		target = target.AddDate(0, 0, 1)
	}
	env.Clock.Advance(target.Sub(now))
	mount(t, env)
	s := &site{Env: env, t: t, pw: map[string]string{}, today: target.Format(time.DateOnly), nips: map[string][]string{}}
	s.seed(target)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768), chromedp.Flag("lang", "id-ID"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	s.browser = bctx
	return s
}

// seed creates users, two kiosks and six people through the API, and
// today's events: DINKES has on-time, late and absent people and a manual
// event waiting; DINSOS's kiosk has an old backlog and a clock 90 s off.
func (s *site) seed(day time.Time) {
	t := s.t
	s.pw["admin"] = s.User("admin", server.RoleAdmin)
	s.pw["op"] = s.User("op", server.RoleOperator, "DINKES")
	s.pw["aud"] = s.User("aud", server.RoleAuditor)
	s.pw["head"] = s.User("head", server.RoleHead, "DINKES")
	s.admin, _ = s.Login("admin", s.pw["admin"])
	rng := storetest.Seed(42)
	k1, k2 := s.Register("K1", "DINKES"), s.Register("K2", "DINSOS")
	people := []struct{ unit, name string }{{"DINKES", "Ani Lestari"}, {"DINKES", "Budi Santoso"}, {"DINKES", "Citra Dewi"}, {"DINKES", "Dedi Kurnia"},
		{"DINSOS", "Eka Putri"}, {"DINSOS", "Fajar Nugroho"}}
	for i, p := range people {
		nip := storetest.NIP(i + 1)
		dev := k1
		if p.unit == "DINSOS" {
			dev = k2
		}
		body := map[string]any{"employee": map[string]any{"nip": nip, "name": p.name, "unit": p.unit, "status": "active"},
			"templates": []any{storetest.WireTemplate(storetest.Templates(rng, 1)[0])}}
		s.Want(s.Do("POST", "/api/v1/enrollments", dev.Token, body), 200, "")
		s.nips[p.unit] = append(s.nips[p.unit], nip)
	}
	at := func(hm string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", day.Format(time.DateOnly)+" "+hm, day.Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ch := &storetest.Chain{Device: "K1", Secret: k1.Secret} // events carry K1's MAC
	s.k1, s.k2, s.ch1, s.ch2 = k1, k2, ch, &storetest.Chain{Device: "K2", Secret: k2.Secret}
	d := s.nips["DINKES"]
	s.Want(s.Do("POST", "/api/v1/events", k1.Token, storetest.Batch(
		ch.Next("in", d[0], at("07:10")), ch.Next("in", d[1], at("07:52")), ch.Next("manual", d[2], at("07:20")),
		ch.Next("out", d[0], at("16:05")))), 200, "")
	hb := map[string]any{"backlog": 3, "oldest_pending": day.Add(-3 * time.Hour).UTC().Format(time.RFC3339), "clock_offset_ns": int64(90 * time.Second),
		"camera_fps": 12.5, "free_disk_bytes": 1 << 30, "app_version": "0.3.0"}
	s.Want(s.Do("POST", "/api/v1/devices/heartbeat", k2.Token, hb), 200, "")
}

// run runs chromedp actions in the site's browser.
func (s *site) run(actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := s.guard()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.t.Fatal(err)
	}
}

// guard bounds one browser step so a missing element fails the test with
// its selector instead of hanging it (a guard, not a timing assertion).
func (s *site) guard() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.browser, 90*time.Second)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](s *site, expr string) T {
	s.t.Helper()
	ctx, cancel := s.guard()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		s.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// login logs in through the form as name, starting from no cookies.
func (s *site) login(name string) {
	s.t.Helper()
	if _, err := chromedp.Call(s.browser, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		s.t.Fatal(err)
	}
	s.run(chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), s.pw[name]),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("logout")))
}

// open navigates to path and waits for the page's main element.
func (s *site) open(path string) {
	s.t.Helper()
	s.run(chromedp.Navigate(s.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// text returns the text of the first element matching sel.
func (s *site) text(sel string) string {
	s.t.Helper()
	ctx, cancel := s.guard()
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(out)
}

// count returns how many elements match sel.
func (s *site) count(sel string) int {
	s.t.Helper()
	return eval[int](s, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// location is the browser's current path.
func (s *site) location() string {
	s.t.Helper()
	return eval[string](s, "location.pathname")
}

// sessionCookie returns the browser's session cookie (HttpOnly: read over
// CDP, as no page script can).
func (s *site) sessionCookie() *network.Cookie {
	s.t.Helper()
	res, err := chromedp.Call(s.browser, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL}})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "hadir_session" {
			return c
		}
	}
	s.t.Fatal("no session cookie in the browser")
	return nil
}

// get fetches path outside the browser with the given session cookie,
// without following redirects.
func (s *site) get(path, cookie string) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "hadir_session", Value: cookie})
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { res.Body.Close() })
	return res
}

// screenshotDir is where TestScreenshots writes (HADIR_CONSOLE_SCREENSHOTS).
func screenshotDir() string { return os.Getenv("HADIR_CONSOLE_SCREENSHOTS") }
