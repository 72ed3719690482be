package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/hadir-id/hadir/server"
)

var userOrder = map[string]func(a, b server.User) int{
	"name":    func(a, b server.User) int { return strings.Compare(a.Name, b.Name) },
	"role":    func(a, b server.User) int { return strings.Compare(string(a.Role), string(b.Role)) },
	"created": func(a, b server.User) int { return a.CreatedAt.Compare(b.CreatedAt) },
}

type usersData struct {
	Rows   []server.User
	Pager  pager
	Sort   string
	Desc   bool
	Notice string
	Form   userForm
}

type userForm struct {
	Name, Role, Units, Error string
}

func (c *Console) handleUsers(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.usersPage(w, r, v, userForm{Role: string(server.RoleOperator)}, http.StatusOK)
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, v *view, f userForm, status int) error {
	var out struct {
		Users []server.User `json:"users"`
	}
	if err := c.get(r, v.s, "/api/v1/users", &out); err != nil {
		return err
	}
	d := usersData{Sort: sortRows(r, out.Users, userOrder, "name"), Desc: sortDir(r) < 0, Form: f}
	d.Pager = c.paginate(r, len(out.Users))
	d.Rows = out.Users[d.Pager.From:d.Pager.To]
	if n := r.URL.Query().Get("created"); n != "" {
		d.Notice = v.T("users.created", n)
	}
	v.Title, v.Data = "users.title", d
	c.render(w, v, "users", status)
	return nil
}

// handleCreateUser creates a user through the API; a refusal (bad name,
// short password, taken name) is shown on the form, which keeps its values.
func (c *Console) handleCreateUser(w http.ResponseWriter, r *http.Request, v *view) error {
	f := userForm{Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role"), Units: r.PostFormValue("units")}
	body := map[string]any{"name": f.Name, "password": r.PostFormValue("password"), "role": f.Role, "units": splitList(f.Units)}
	err := c.send(r, v.s, http.MethodPost, "/api/v1/users", body, nil)
	if ae, ok := err.(*apiError); ok && ae.status < 500 && ae.status != http.StatusForbidden && ae.status != http.StatusUnauthorized {
		f.Error = ae.msg
		r.URL.RawQuery = ""
		return c.usersPage(w, r, v, f, ae.status)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/users?created="+url.QueryEscape(f.Name), http.StatusSeeOther)
	return nil
}
