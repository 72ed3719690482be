package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

type settingsData struct {
	Year      int
	Types     []attendance.ExceptionType
	Version   int
	Holidays  []attendance.Holiday
	TKCut     float64
	Cap       float64
	Unit      string
	Units     []string
	Signature server.Signature
	Error     string
	Notice    string
	// HolidayText is the year's holidays as edited (one per line) and
	// HolidayLines the lines refused, by number.
	HolidayText  string
	HolidayLines []lineError
}

// settingsForm is what a refused form brings back onto the page.
type settingsForm struct {
	SigError     string
	HolidayText  string
	HolidayLines []lineError
}

// handleSettings shows the recap settings the API holds: exception types,
// the year's holidays, the TK cut and monthly cap, and the signature block
// of a unit (or the default one), which an admin edits here.
func (c *Console) handleSettings(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.settingsPage(w, r, v, settingsForm{}, http.StatusOK)
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, v *view, f settingsForm, status int) error {
	q := r.URL.Query()
	d := settingsData{Year: c.opt.Now().In(v.F.loc).Year(), Unit: q.Get("unit"), Error: f.SigError,
		HolidayText: f.HolidayText, HolidayLines: f.HolidayLines}
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y > 1900 && y < 3000 {
		d.Year = y
	}
	var types struct {
		Version int                        `json:"version"`
		Types   []attendance.ExceptionType `json:"types"`
	}
	if err := c.get(r, v.s, "/api/v1/exception-types", &types); err != nil {
		return err
	}
	d.Types, d.Version = types.Types, types.Version
	var hol struct {
		Holidays []attendance.Holiday `json:"holidays"`
	}
	if err := c.get(r, v.s, "/api/v1/holidays?year="+strconv.Itoa(d.Year), &hol); err != nil {
		return err
	}
	d.Holidays = hol.Holidays
	if f.HolidayText == "" {
		d.HolidayText = holidaysText(d.Holidays)
	}
	var rules struct {
		TK  float64 `json:"tk_cut_percent"`
		Cap float64 `json:"monthly_cap_percent"`
	}
	if err := c.get(r, v.s, "/api/v1/settings/recap", &rules); err != nil {
		return err
	}
	d.TKCut, d.Cap = rules.TK, rules.Cap
	units, err := c.units(r, v)
	if err != nil {
		return err
	}
	d.Units = units
	var sig struct {
		Signature server.Signature `json:"signature"`
	}
	if err := c.get(r, v.s, "/api/v1/settings/signature?unit="+url.QueryEscape(d.Unit), &sig); err != nil {
		return err
	}
	d.Signature = sig.Signature
	if q.Get("saved") != "" {
		d.Notice = v.T("settings.saved")
	}
	v.Title, v.Data = "settings.title", d
	c.render(w, v, "settings", status)
	return nil
}

// handleSignature saves a unit's (or the default) signature block.
func (c *Console) handleSignature(w http.ResponseWriter, r *http.Request, v *view) error {
	unit := strings.TrimSpace(r.PostFormValue("unit"))
	sig := server.Signature{Place: strings.TrimSpace(r.PostFormValue("place")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Name: strings.TrimSpace(r.PostFormValue("name")), NIP: strings.TrimSpace(r.PostFormValue("nip"))}
	err := c.send(r, v.s, http.MethodPut, "/api/v1/settings/signature?unit="+url.QueryEscape(unit), sig, nil)
	if ae, ok := err.(*apiError); ok && ae.status == http.StatusBadRequest {
		r.URL.RawQuery = url.Values{"unit": {unit}}.Encode()
		return c.settingsPage(w, r, v, settingsForm{SigError: ae.msg}, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=1&unit="+url.QueryEscape(unit), http.StatusSeeOther)
	return nil
}
