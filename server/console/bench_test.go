package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/storetest"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formLogin logs in through the console's form with a plain HTTP client
// (cookie jar) and returns the client.
func formLogin(tb testing.TB, base, name, pw string) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	res, err := cl.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		tb.Fatalf("login form without a CSRF token:\n%s", body)
	}
	res, err = cl.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {pw}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path == "/login" {
		tb.Fatalf("console login as %s: %d at %s", name, res.StatusCode, res.Request.URL)
	}
	return cl
}

// TestLoginFormCSRF: the login form itself refuses a post without its
// double-submit token (login CSRF), and answers a wrong password on the
// form with the API's 401.
func TestLoginFormCSRF(t *testing.T) {
	env := storetest.Start(t, backend)
	mount(t, env)
	pw := env.User("admin", server.RoleAdmin)
	res, err := http.PostForm(env.URL+"/login", url.Values{"name": {"admin"}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("login post without the form's token: %d, want 403", res.StatusCode)
	}
	formLogin(t, env.URL, "admin", pw)
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	r, _ := cl.Get(env.URL + "/login")
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	r, err = cl.PostForm(env.URL+"/login", url.Values{"csrf": {string(csrfRE.FindSubmatch(body)[1])}, "name": {"admin"}, "password": {"wrong-password-123"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", r.StatusCode)
	}
}

// BenchmarkConsoleOverhead compares each page with the API call behind it
// on one unit of 250 people with a month of events (11,000): the console
// adds session, template and formatting work only.
func BenchmarkConsoleOverhead(b *testing.B) {
	env := storetest.Start(b, backend)
	mount(b, env)
	pw := env.User("admin", server.RoleAdmin)
	dev := env.Register("K1", "DINKES")
	rng := storetest.Seed(7)
	const people = 250
	for i := range people {
		body := map[string]any{"employee": map[string]any{"nip": storetest.NIP(i + 1), "name": fmt.Sprintf("Pegawai %d", i), "unit": "DINKES", "status": "active"},
			"templates": []any{storetest.WireTemplate(storetest.Templates(rng, 1)[0])}}
		env.Want(env.Do("POST", "/api/v1/enrollments", dev.Token, body), 200, "")
	}
	loc, _ := time.LoadLocation("Asia/Jakarta")
	start := env.Clock.Now().In(loc)
	env.Clock.Advance(40 * 24 * time.Hour)
	ch := storetest.Chain{Device: "K1", Secret: dev.Secret} // events carry K1's MAC
	var batch []map[string]any
	flush := func() {
		if len(batch) > 0 {
			env.Want(env.Do("POST", "/api/v1/events", dev.Token, storetest.Batch(batch...)), 200, "")
			batch = batch[:0]
		}
	}
	month := start.AddDate(0, 0, 10)
	for d := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, loc); d.Month() == month.Month(); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || !d.After(start) {
			continue
		}
		for i := range people {
			batch = append(batch, ch.Next("in", storetest.NIP(i+1), d.Add(7*time.Hour+time.Duration(i%40)*time.Minute)),
				ch.Next("out", storetest.NIP(i+1), d.Add(16*time.Hour)))
			if len(batch) >= 500 {
				flush()
			}
		}
	}
	flush()
	tok, _ := env.Login("admin", pw)
	cl := formLogin(b, env.URL, "admin", pw)
	m := month.Format("2006-01")
	pairs := []struct{ name, api, page string }{
		{"lb1", "/api/v1/recap/monthly?unit=DINKES&limit=50&month=" + m, "/recap/monthly?unit=DINKES&month=" + m},
		{"lb2", "/api/v1/recap/person/" + storetest.NIP(1) + "?month=" + m, "/recap/person/" + storetest.NIP(1) + "?month=" + m},
		{"employees", "/api/v1/employees?unit=DINKES", "/employees?unit=DINKES"},
		{"today", "/api/v1/recap/daily?unit=DINKES&offset=0&limit=1000", "/today"},
		{"approvals", "/api/v1/approvals", "/approvals"},
	}
	for _, p := range pairs {
		b.Run(p.name+"/api", func(b *testing.B) {
			for b.Loop() {
				benchGet(b, http.DefaultClient, env.URL+p.api, tok)
			}
		})
		b.Run(p.name+"/page", func(b *testing.B) {
			for b.Loop() {
				benchGet(b, cl, env.URL+p.page, "")
			}
		})
	}
}

// benchGet fetches url (with a bearer token unless "") and fails the
// benchmark unless it answers 200 without a detour to the login form.
func benchGet(b *testing.B, cl *http.Client, url, token string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := cl.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path == "/login" {
		b.Fatalf("%s: %d at %s", url, res.StatusCode, res.Request.URL.Path)
	}
}
