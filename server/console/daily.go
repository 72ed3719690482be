package console

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// lhRow is one person's line of the LH (the API's RecapDay).
type lhRow struct {
	NIP        string  `json:"nip"`
	Name       string  `json:"name"`
	Code       string  `json:"code"`
	CheckIn    string  `json:"check_in"`
	CheckOut   string  `json:"check_out"`
	LateTier   string  `json:"late_tier"`
	EarlyTier  string  `json:"early_tier"`
	CutPercent float64 `json:"cut_percent"`
}

type lhData struct {
	Unit, Date, DateText string
	Units                []string
	Rows                 []lhRow
	Pager                pager
	Export               string
}

// handleLH shows one unit's day (LH) a page at a time from the API.
func (c *Console) handleLH(w http.ResponseWriter, r *http.Request, v *view) error {
	units, err := c.units(r, v)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := lhData{Unit: q.Get("unit"), Units: units}
	if d.Unit == "" && len(units) > 0 {
		d.Unit = units[0]
	}
	loc := c.opt.Schedule(d.Unit).Location()
	day, err := time.ParseInLocation(time.DateOnly, q.Get("date"), loc)
	if err != nil {
		day = c.opt.Now().In(loc)
	}
	d.Date, d.DateText = day.Format(time.DateOnly), v.F.Date(day)
	if d.Unit != "" {
		size := c.opt.PageSize
		page, _ := strconv.Atoi(q.Get("page"))
		page = max(page, 1)
		api := url.Values{"unit": {d.Unit}, "date": {d.Date}, "offset": {strconv.Itoa((page - 1) * size)}, "limit": {strconv.Itoa(size)}}
		var out struct {
			Total int     `json:"total"`
			Rows  []lhRow `json:"rows"`
		}
		if err := c.get(r, v.s, "/api/v1/recap/daily?"+api.Encode(), &out); err != nil {
			return err
		}
		d.Rows = out.Rows
		d.Pager = pager{Page: page, Total: out.Total, Pages: max(1, (out.Total+size-1)/size)}
		d.Export = url.Values{"unit": {d.Unit}, "date": {d.Date}}.Encode()
	}
	v.Title, v.Data = "lh.title", d
	c.render(w, v, "lh", http.StatusOK)
	return nil
}
