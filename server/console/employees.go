package console

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

var employeeOrder = map[string]func(a, b server.Employee) int{
	"nip": func(a, b server.Employee) int { return strings.Compare(a.NIP, b.NIP) },
	"name": func(a, b server.Employee) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	},
	"unit":      func(a, b server.Employee) int { return strings.Compare(a.Unit, b.Unit) },
	"templates": func(a, b server.Employee) int { return cmp.Compare(a.Templates, b.Templates) },
}

// unitLister lists the units that have employees in one query (the SQL
// stores do); read directly, as the API has no such list, and only for
// an admin, who may see every unit.
type unitLister interface {
	EmployeeUnits(ctx context.Context) ([]string, error)
}

// units returns the units the user may pick: an operator's own, or for an
// admin every unit with employees or kiosks.
func (c *Console) units(r *http.Request, v *view) ([]string, error) {
	if v.User.Role != server.RoleAdmin {
		return slices.Clone(v.User.Units), nil
	}
	set := map[string]bool{}
	if ul, ok := c.opt.Store.(unitLister); ok {
		us, err := ul.EmployeeUnits(r.Context())
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			set[u] = true
		}
	} else {
		es, err := c.employees(r, v, "", "")
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			set[e.Unit] = true
		}
	}
	ks, err := c.fleet(r, v)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		for _, u := range k.Units {
			set[u] = true
		}
	}
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	slices.Sort(out)
	return out, nil
}

// employees lists unit's employees matching query ("": all) through the
// API, which searches; unit "" means every unit the user may see (an
// operator's units one by one).
func (c *Console) employees(r *http.Request, v *view, unit, query string) ([]server.Employee, error) {
	list := []string{unit}
	if unit == "" && v.User.Role != server.RoleAdmin {
		list = v.User.Units
	}
	var all []server.Employee
	for _, u := range list {
		var out struct {
			Employees []server.Employee `json:"employees"`
		}
		if err := c.get(r, v.s, "/api/v1/employees?"+url.Values{"unit": {u}, "q": {query}}.Encode(), &out); err != nil {
			return nil, err
		}
		all = append(all, out.Employees...)
	}
	return all, nil
}

type employeesData struct {
	Rows   []server.Employee
	Pager  pager
	Sort   string
	Desc   bool
	Units  []string
	Unit   string
	Query  string
	Notice string
}

func (c *Console) handleEmployees(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := employeesData{Unit: q.Get("unit"), Query: strings.TrimSpace(q.Get("q")), Desc: sortDir(r) < 0}
	es, err := c.employees(r, v, d.Unit, d.Query)
	if err != nil {
		return err
	}
	d.Sort = sortRows(r, es, employeeOrder, "nip")
	d.Pager = c.paginate(r, len(es))
	d.Rows = es[d.Pager.From:d.Pager.To]
	if v.User.Role == server.RoleAdmin {
		if d.Units, err = c.units(r, v); err != nil {
			return err
		}
	} else {
		d.Units = v.User.Units
	}
	if n := q.Get("erased"); n != "" {
		d.Notice = v.T("employee.erased", n)
	}
	v.Title, v.Data = "employees.title", d
	c.render(w, v, "employees", http.StatusOK)
	return nil
}

// dayRow is the part of the API's day row the profile shows.
type dayRow struct {
	Date       string  `json:"date"`
	Status     string  `json:"status"`
	Exception  string  `json:"exception"` // an approved exception's type
	CheckIn    string  `json:"check_in"`
	CheckOut   string  `json:"check_out"`
	LateTier   string  `json:"late_tier"`
	EarlyTier  string  `json:"early_tier"`
	CutPercent float64 `json:"cut_percent"`
	Pending    bool    `json:"pending_sync"`
}

type employeeData struct {
	Employee  server.Employee
	Templates int
	Enrolled  time.Time
	LastDate  string
	LastTime  string
	Month     string
	MonthName string
	Prev      string
	Next      string
	Days      []dayRow
	Zone      string
	Kiosks    []kiosk  // the kiosks serving the unit (they hold the templates)
	Units     []string // transfer targets offered (admin)
	Notice    string
}

func (c *Console) handleEmployee(w http.ResponseWriter, r *http.Request, v *view) error {
	nip := r.PathValue("nip")
	var emp struct {
		Employee  server.Employee `json:"employee"`
		Templates []struct {
			TakenAt time.Time `json:"taken_at"`
		} `json:"templates"`
	}
	if err := c.get(r, v.s, "/api/v1/employees/"+url.PathEscape(nip), &emp); err != nil {
		return err
	}
	loc := c.opt.Schedule(emp.Employee.Unit).Location()
	v.F.loc = loc
	now := c.opt.Now().In(loc)
	month := r.URL.Query().Get("month")
	m, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil || m.After(now) {
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	}
	d := employeeData{Employee: emp.Employee, Templates: len(emp.Templates), Month: m.Format("2006-01"),
		MonthName: v.F.Month(m.Year(), m.Month()), Prev: m.AddDate(0, -1, 0).Format("2006-01"), Zone: zoneName(now)}
	if nx := m.AddDate(0, 1, 0); !nx.After(now) {
		d.Next = nx.Format("2006-01")
	}
	for _, t := range emp.Templates {
		if d.Enrolled.IsZero() || t.TakenAt.Before(d.Enrolled) {
			d.Enrolled = t.TakenAt
		}
	}
	var rep struct {
		Days []dayRow `json:"days"`
	}
	if err := c.get(r, v.s, "/api/v1/recap/person/"+url.PathEscape(nip)+"?month="+d.Month, &rep); err != nil {
		return err
	}
	d.Days = rep.Days
	for _, day := range rep.Days {
		if t := cmp.Or(day.CheckOut, day.CheckIn); t != "" {
			d.LastDate, d.LastTime = day.Date, t
		}
	}
	if err := c.profileExtras(r, v, &d); err != nil {
		return err
	}
	v.Title, v.Data = "employee.title", d
	c.render(w, v, "employee", http.StatusOK)
	return nil
}

// handleErase erases a person's biometrics everywhere once the admin has
// typed the NIP to confirm.
func (c *Console) handleErase(w http.ResponseWriter, r *http.Request, v *view) error {
	nip := r.PathValue("nip")
	if r.PostFormValue("confirm") != nip {
		return &apiError{status: http.StatusBadRequest, msg: v.T("employee.erase.mismatch")}
	}
	if err := c.send(r, v.s, http.MethodDelete, "/api/v1/employees/"+url.PathEscape(nip), nil, nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/employees?erased="+url.QueryEscape(nip), http.StatusSeeOther)
	return nil
}
