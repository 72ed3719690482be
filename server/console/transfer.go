package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hadir-id/hadir/server"
)

// profileExtras adds to a profile the kiosks that serve the person's unit
// (each holds their templates: last contact shows how fresh it is) and,
// for an admin, the transfer form's units and its outcome.
func (c *Console) profileExtras(r *http.Request, v *view, d *employeeData) error {
	ks, err := c.fleet(r, v)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if len(k.Units) == 0 || slices.Contains(k.Units, d.Employee.Unit) {
			d.Kiosks = append(d.Kiosks, k)
		}
	}
	if v.User.Role == server.RoleAdmin {
		units, err := c.units(r, v)
		if err != nil {
			return err
		}
		d.Units = slices.DeleteFunc(units, func(u string) bool { return u == d.Employee.Unit })
	}
	if from := r.URL.Query().Get("moved"); from != "" {
		d.Notice = v.T("employee.moved", from, d.Employee.Unit)
	}
	return nil
}

// handleTransfer moves a person to another unit through the API's
// transfer (admin only there too; audited by the API, and the kiosks of
// both units get the change at their next roster pull).
func (c *Console) handleTransfer(w http.ResponseWriter, r *http.Request, v *view) error {
	nip := r.PathValue("nip")
	unit := strings.TrimSpace(r.PostFormValue("unit"))
	var out struct {
		From string `json:"from"`
	}
	if err := c.send(r, v.s, http.MethodPost, "/api/v1/employees/"+url.PathEscape(nip)+"/transfer", map[string]string{"unit": unit}, &out); err != nil {
		return err
	}
	http.Redirect(w, r, "/employees/"+url.PathEscape(nip)+"?moved="+url.QueryEscape(out.From), http.StatusSeeOther)
	return nil
}
