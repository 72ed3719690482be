package console

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hadir-id/hadir/server"
)

// recapRow is one LB.1 line as the API gives it.
type recapRow struct {
	NIP        string         `json:"nip"`
	Name       string         `json:"name"`
	Unit       string         `json:"unit"`
	WorkDays   int            `json:"work_days"`
	Present    int            `json:"H"`
	Absent     int            `json:"TK"`
	Pending    int            `json:"BS"`
	Tiers      map[string]int `json:"tiers"`
	Exceptions map[string]int `json:"exceptions"`
	CutPercent float64        `json:"cut_percent"`
	Capped     bool           `json:"capped"`
}

type lb1Data struct {
	Unit, Month, MonthName string
	Units                  []string
	Tiers, Excs            []string
	Rows                   []recapRow
	Pager                  pager
	Signature              server.Signature
	Generated              time.Time
	Export                 string // query of the export links
	Print                  bool
}

// month reads ?month=YYYY-MM (default: this month in loc).
func (c *Console) month(r *http.Request, v *view) (string, string) {
	now := c.opt.Now().In(v.F.loc)
	m, err := time.Parse("2006-01", r.URL.Query().Get("month"))
	if err != nil {
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return m.Format("2006-01"), v.F.Month(m.Year(), m.Month())
}

// handleLB1 shows the monthly recap of a unit (or all units, admins) a
// page at a time from the API; ?print=1 loads every row for the A4 print.
func (c *Console) handleLB1(w http.ResponseWriter, r *http.Request, v *view) error {
	units, err := c.units(r, v)
	if err != nil {
		return err
	}
	d := lb1Data{Unit: r.URL.Query().Get("unit"), Units: units, Print: r.URL.Query().Get("print") != ""}
	if d.Unit == "" && len(units) > 0 {
		d.Unit = units[0]
	}
	if v.User.Role == server.RoleAdmin && len(units) > 0 {
		d.Units = append([]string{"all"}, units...)
	}
	d.Month, d.MonthName = c.month(r, v)
	if d.Unit == "" {
		v.Title, v.Data = "lb1.title", d
		c.render(w, v, "lb1", http.StatusOK)
		return nil
	}
	size := c.opt.PageSize
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	offset, limit := (page-1)*size, size
	if d.Print {
		offset, limit = 0, 1000
	}
	q := url.Values{"unit": {d.Unit}, "month": {d.Month}}
	var out struct {
		Tiers []string   `json:"tier_columns"`
		Excs  []string   `json:"exception_columns"`
		Total int        `json:"total"`
		Rows  []recapRow `json:"rows"`
	}
	for {
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(limit))
		var part struct {
			Tiers []string   `json:"tier_columns"`
			Excs  []string   `json:"exception_columns"`
			Total int        `json:"total"`
			Rows  []recapRow `json:"rows"`
		}
		if err := c.get(r, v.s, "/api/v1/recap/monthly?"+q.Encode(), &part); err != nil {
			return err
		}
		out.Tiers, out.Excs, out.Total = part.Tiers, part.Excs, part.Total
		out.Rows = append(out.Rows, part.Rows...)
		offset += len(part.Rows)
		if !d.Print || len(part.Rows) == 0 || offset >= part.Total {
			break
		}
	}
	d.Tiers, d.Excs, d.Rows = out.Tiers, out.Excs, out.Rows
	d.Pager = pager{Page: page, Total: out.Total, Pages: max(1, (out.Total+size-1)/size)}
	d.Export = url.Values{"unit": {d.Unit}, "month": {d.Month}}.Encode()
	if d.Print {
		var sig struct {
			Signature server.Signature `json:"signature"`
		}
		su := d.Unit
		if su == "all" {
			su = ""
		}
		if err := c.get(r, v.s, "/api/v1/settings/signature?unit="+url.QueryEscape(su), &sig); err != nil {
			return err
		}
		d.Signature, d.Generated = sig.Signature, c.opt.Now()
	}
	v.Title, v.Data = "lb1.title", d
	c.render(w, v, "lb1", http.StatusOK)
	return nil
}

// lb2Day is one day of the LB.2.
type lb2Day struct {
	Date       string  `json:"date"`
	Code       string  `json:"code"`
	CheckIn    string  `json:"check_in"`
	CheckOut   string  `json:"check_out"`
	LateTier   string  `json:"late_tier"`
	EarlyTier  string  `json:"early_tier"`
	Exception  string  `json:"exception"`
	CutPercent float64 `json:"cut_percent"`
}

type lb2Data struct {
	NIP, Name, Unit, Month, MonthName string
	Days                              []lb2Day
	Summary                           recapRow
	Export                            string
}

func (c *Console) handleLB2(w http.ResponseWriter, r *http.Request, v *view) error {
	nip := r.PathValue("nip")
	d := lb2Data{}
	d.Month, d.MonthName = c.month(r, v)
	var out struct {
		Name    string   `json:"name"`
		Unit    string   `json:"unit"`
		Days    []lb2Day `json:"days"`
		Summary recapRow `json:"summary"`
	}
	if err := c.get(r, v.s, "/api/v1/recap/person/"+url.PathEscape(nip)+"?month="+d.Month, &out); err != nil {
		return err
	}
	d.NIP, d.Name, d.Unit, d.Days, d.Summary = nip, out.Name, out.Unit, out.Days, out.Summary
	d.Export = url.Values{"nip": {nip}, "month": {d.Month}}.Encode()
	v.Title, v.Data = "lb2.title", d
	c.render(w, v, "lb2", http.StatusOK)
	return nil
}

// handleExport streams the API's CSV or XLSX export of an LH (unit,
// date), LB.1 (unit, month) or LB.2 (nip, month) as it is, with its file name.
func (c *Console) handleExport(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "csv" && format != "xlsx" {
		return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("format %q must be csv or xlsx", format)}
	}
	var path string
	if date := q.Get("date"); date != "" {
		path = "/api/v1/recap/daily?" + url.Values{"unit": {q.Get("unit")}, "date": {date}, "format": {format}}.Encode()
	} else if nip := q.Get("nip"); nip != "" {
		path = "/api/v1/recap/person/" + url.PathEscape(nip) + "?" + url.Values{"month": {q.Get("month")}, "format": {format}}.Encode()
	} else {
		path = "/api/v1/recap/monthly?" + url.Values{"unit": {q.Get("unit")}, "month": {q.Get("month")}, "format": {format}}.Encode()
	}
	tok, err := c.token(r, v.s)
	if err != nil {
		return err
	}
	res := c.call(r, tok, http.MethodGet, path, nil)
	if res.status != http.StatusOK {
		return &apiError{status: res.status, msg: res.message()}
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		w.Header().Set(h, res.header.Get(h))
	}
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, &res.body)
	return err
}
