package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// Unit schedules: a unit's working hours and shifts (from the server's
// schedule files, shown read-only) and its monthly shift roster, viewed
// and uploaded as CSV "nip,date,shift" through the API, which refuses a
// file with any bad line and names each line; the page lists them.

// maxRosterUpload bounds the uploaded file (the API's own limit is 8 MiB).
const maxRosterUpload = 8 << 20

// lineError is one refused line of an upload.
type lineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type shiftView struct {
	Name, CheckIn, CheckOut string
}

type rosterData struct {
	Unit, Month, Zone string
	Units             []string
	WorkDays          string
	CheckIn, CheckOut string
	Shifts            []shiftView
	Rows              []server.ShiftEntry
	Pager             pager
	Error             string
	Lines             []lineError
	Notice            string
}

func window(w attendance.Window) string { return w.From.String() + "–" + w.To.String() }

func (c *Console) handleRoster(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.rosterPage(w, r, v, "", nil, http.StatusOK)
}

func (c *Console) rosterPage(w http.ResponseWriter, r *http.Request, v *view, msg string, lines []lineError, status int) error {
	q := r.URL.Query()
	units, err := c.units(r, v)
	if err != nil {
		return err
	}
	d := rosterData{Unit: q.Get("unit"), Month: q.Get("month"), Units: units, Error: msg, Lines: lines}
	if d.Unit == "" && len(units) > 0 {
		d.Unit = units[0]
	}
	cfg := c.opt.Schedule(d.Unit)
	now := c.opt.Now().In(cfg.Location())
	if _, err := time.Parse("2006-01", d.Month); err != nil {
		d.Month = now.Format("2006-01")
	}
	d.Zone = zoneName(now)
	days := make([]string, 0, len(cfg.WorkDays))
	for _, wd := range cfg.WorkDays {
		days = append(days, dayNames[v.Lang][time.Weekday(wd)])
	}
	d.WorkDays = strings.Join(days, ", ")
	d.CheckIn, d.CheckOut = window(cfg.Regular.CheckIn), window(cfg.Regular.CheckOut)
	for _, s := range cfg.Shifts {
		d.Shifts = append(d.Shifts, shiftView{Name: s.Name, CheckIn: window(s.CheckIn), CheckOut: window(s.CheckOut)})
	}
	if d.Unit != "" {
		var out struct {
			Entries []server.ShiftEntry `json:"entries"`
		}
		api := url.Values{"unit": {d.Unit}, "month": {d.Month}}
		if err := c.get(r, v.s, "/api/v1/rosters?"+api.Encode(), &out); err != nil {
			return err
		}
		d.Pager = c.paginate(r, len(out.Entries))
		d.Rows = out.Entries[d.Pager.From:d.Pager.To]
	}
	if n := q.Get("stored"); n != "" {
		d.Notice = v.T("roster.stored", n)
	}
	v.Title, v.Data = "roster.title", d
	c.render(w, v, "roster", status)
	return nil
}

// handleRosterUpload forwards the uploaded CSV to the API as is; the
// API's refusal comes back line by line onto the page.
func (c *Console) handleRosterUpload(w http.ResponseWriter, r *http.Request, v *view) error {
	unit := strings.TrimSpace(r.PostFormValue("unit"))
	month := r.PostFormValue("month")
	back := url.Values{"unit": {unit}, "month": {month}}
	file, _, err := r.FormFile("roster")
	if err != nil {
		r.URL.RawQuery = back.Encode()
		return c.rosterPage(w, r, v, v.T("roster.nofile"), nil, http.StatusBadRequest)
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxRosterUpload+1))
	if err != nil {
		return err
	}
	tok, err := c.token(r, v.s)
	if err != nil {
		return err
	}
	res := c.callType(r, tok, http.MethodPut, "/api/v1/rosters?unit="+url.QueryEscape(unit), "text/csv", bytes.NewReader(body))
	var out struct {
		Stored int `json:"stored"`
	}
	if err := res.decode(&out); err != nil {
		if res.status != http.StatusBadRequest && res.status != http.StatusRequestEntityTooLarge {
			return err
		}
		var bad struct {
			Lines []lineError `json:"lines"`
		}
		json.Unmarshal(res.body.Bytes(), &bad)
		r.URL.RawQuery = back.Encode()
		return c.rosterPage(w, r, v, res.message(), bad.Lines, res.status)
	}
	back.Set("stored", strconv.Itoa(out.Stored))
	http.Redirect(w, r, "/settings/roster?"+back.Encode(), http.StatusSeeOther)
	return nil
}

// holidayLine is "YYYY-MM-DD kind name" (kind libur or cuti_bersama).
var holidayLine = regexp.MustCompile(`^(\S+)\s+(\S+)\s+(.+)$`)

// holidaysText writes a year's holidays in the editable line format.
func holidaysText(hs []attendance.Holiday) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%s %s %s\n", h.Date, h.Kind, h.Name)
	}
	return b.String()
}

// parseHolidays reads the edited lines; blank lines and # comments are
// skipped. It returns the holidays and, per input line, its index in them.
func parseHolidays(text string, year int) ([]attendance.Holiday, []int, []lineError) {
	var hs []attendance.Holiday
	var at []int
	var bad []lineError
	for i, ln := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		m := holidayLine.FindStringSubmatch(ln)
		if m == nil {
			bad = append(bad, lineError{i + 1, "want: YYYY-MM-DD libur|cuti_bersama name"})
			continue
		}
		d, err := attendance.ParseDate(m[1])
		if err != nil {
			bad = append(bad, lineError{i + 1, err.Error()})
			continue
		}
		h := attendance.Holiday{Date: d, Kind: attendance.HolidayKind(m[2]), Name: strings.TrimSpace(m[3])}
		if err := h.Validate(); err != nil {
			bad = append(bad, lineError{i + 1, err.Error()})
			continue
		}
		if d.Year != year {
			bad = append(bad, lineError{i + 1, fmt.Sprintf("%s is not in %d", d, year)})
			continue
		}
		hs = append(hs, h)
		at = append(at, i+1)
	}
	return hs, at, bad
}

// apiIndex finds "holidays[N]" in an API refusal.
var apiIndex = regexp.MustCompile(`holidays\[(\d+)\]`)

// handleHolidays replaces a year's holidays (admin) from the edited text.
func (c *Console) handleHolidays(w http.ResponseWriter, r *http.Request, v *view) error {
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil || year < 1900 || year > 3000 {
		return &apiError{status: http.StatusBadRequest, msg: v.T("error.form")}
	}
	text := r.PostFormValue("holidays")
	r.URL.RawQuery = url.Values{"year": {strconv.Itoa(year)}}.Encode()
	hs, at, bad := parseHolidays(text, year)
	if len(bad) == 0 {
		if hs == nil {
			hs = []attendance.Holiday{}
		}
		err := c.send(r, v.s, http.MethodPut, "/api/v1/holidays/"+strconv.Itoa(year), map[string]any{"holidays": hs}, nil)
		ae, refused := err.(*apiError)
		switch {
		case err == nil:
			http.Redirect(w, r, "/settings?saved=1&year="+strconv.Itoa(year)+"#hol-h", http.StatusSeeOther)
			return nil
		case !refused || ae.status != http.StatusBadRequest:
			return err
		}
		line := 0
		if m := apiIndex.FindStringSubmatch(ae.msg); m != nil {
			if n, _ := strconv.Atoi(m[1]); n < len(at) {
				line = at[n]
			}
		}
		bad = []lineError{{line, ae.msg}}
	}
	return c.settingsPage(w, r, v, settingsForm{HolidayText: text, HolidayLines: bad}, http.StatusBadRequest)
}
