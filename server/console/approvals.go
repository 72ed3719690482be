package console

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// maxUpload bounds an exception form with its document (the API checks
// the document's own limit and content).
const maxUpload = 12 << 20

type approvalsData struct {
	Items  []server.ApprovalItem
	State  string
	Next   string
	Notice string
	Done   string // the item just decided or created
	Types  []attendance.ExceptionType
	Form   exceptionForm
}

type exceptionForm struct {
	NIP, Type, From, To, Time, Reason, Error string
}

// apiPath is the API route deciding an item of kind.
var decidePath = map[string]string{
	server.ItemException:  "/api/v1/exceptions/",
	server.ItemCorrection: "/api/v1/corrections/",
	server.ItemManual:     "/api/v1/manual-events/",
}

// CanDecide: a unit head or an admin decides requests; manual kiosk
// events may also be decided by the unit's operators (the API checks).
func (v *view) CanDecide(kind string) bool {
	switch v.User.Role {
	case server.RoleAdmin, server.RoleHead:
		return true
	}
	return kind == server.ItemManual && v.User.Role == server.RoleOperator
}

func (c *Console) handleApprovals(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.approvalsPage(w, r, v, exceptionForm{}, http.StatusOK)
}

func (c *Console) approvalsPage(w http.ResponseWriter, r *http.Request, v *view, f exceptionForm, status int) error {
	q := r.URL.Query()
	d := approvalsData{State: q.Get("state"), Form: f}
	if d.State == "" {
		d.State = server.StatePending
	}
	api := url.Values{"state": {d.State}, "limit": {"50"}}
	if cur := q.Get("cursor"); cur != "" {
		api.Set("cursor", cur)
	}
	var out struct {
		Items []server.ApprovalItem `json:"items"`
		Next  string                `json:"next_cursor"`
	}
	if err := c.get(r, v.s, "/api/v1/approvals?"+api.Encode(), &out); err != nil {
		return err
	}
	d.Items, d.Next = out.Items, out.Next
	var types struct {
		Types []attendance.ExceptionType `json:"types"`
	}
	if err := c.get(r, v.s, "/api/v1/exception-types", &types); err != nil {
		return err
	}
	for _, t := range types.Types {
		if t.Active {
			d.Types = append(d.Types, t)
		}
	}
	if n := q.Get("done"); n != "" {
		d.Notice, d.Done = v.T("approvals.done", n), n
	}
	v.Title, v.Data = "approvals.title", d
	c.render(w, v, "approvals", status)
	return nil
}

// handleDecide approves or rejects one queue item with the reason typed.
func (c *Console) handleDecide(w http.ResponseWriter, r *http.Request, v *view) error {
	kind, id, verb := r.PathValue("kind"), r.PathValue("id"), r.PathValue("verb")
	base, ok := decidePath[kind]
	if !ok || (verb != "approve" && verb != "reject") {
		return errNotFound
	}
	body := map[string]string{"note": strings.TrimSpace(r.PostFormValue("note"))}
	path := base + url.PathEscape(id) + "/" + verb
	if dev := r.PostFormValue("device"); kind == server.ItemManual && dev != "" {
		path += "?device=" + url.QueryEscape(dev) // event ids are unique per device only
	}
	if err := c.send(r, v.s, http.MethodPost, path, body, nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/approvals?done="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}

// handleCreateException forwards the form and its document to the API as
// multipart; a refusal is shown on the form, which keeps its values.
func (c *Console) handleCreateException(w http.ResponseWriter, r *http.Request, v *view) error {
	f := exceptionForm{NIP: strings.TrimSpace(r.PostFormValue("nip")), Type: r.PostFormValue("type"), From: r.PostFormValue("from"),
		To: r.PostFormValue("to"), Time: r.PostFormValue("time"), Reason: r.PostFormValue("reason")}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, val := range map[string]string{"nip": f.NIP, "type": f.Type, "from": f.From, "to": f.To, "time": f.Time, "reason": f.Reason} {
		if val != "" {
			mw.WriteField(k, val)
		}
	}
	if file, fh, err := r.FormFile("document"); err == nil {
		defer file.Close()
		part, err := mw.CreateFormFile("document", fh.Filename)
		if err != nil {
			return err
		}
		if _, err := io.Copy(part, file); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	tok, err := c.token(r, v.s)
	if err != nil {
		return err
	}
	res := c.callType(r, tok, http.MethodPost, "/api/v1/exceptions", mw.FormDataContentType(), &buf)
	var out struct {
		Exception server.ExceptionRecord `json:"exception"`
	}
	if err := res.decode(&out); err != nil {
		if res.status >= 500 || res.status == http.StatusUnauthorized {
			return err
		}
		f.Error = res.message()
		r.URL.RawQuery = ""
		return c.approvalsPage(w, r, v, f, res.status)
	}
	http.Redirect(w, r, "/approvals?done="+url.QueryEscape(out.Exception.ID), http.StatusSeeOther)
	return nil
}

// handleDocument streams an exception's document from the API (scoped
// there) as a download.
func (c *Console) handleDocument(w http.ResponseWriter, r *http.Request, v *view) error {
	tok, err := c.token(r, v.s)
	if err != nil {
		return err
	}
	res := c.call(r, tok, http.MethodGet, "/api/v1/exceptions/"+url.PathEscape(r.PathValue("id"))+"/document", nil)
	if res.status != http.StatusOK {
		return &apiError{status: res.status, msg: res.message()}
	}
	w.Header().Set("Content-Type", res.header.Get("Content-Type"))
	w.Header().Set("Content-Disposition", "attachment")
	if cd := res.header.Get("Content-Disposition"); cd != "" {
		w.Header().Set("Content-Disposition", cd)
	}
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, &res.body)
	return err
}
