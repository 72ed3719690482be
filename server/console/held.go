package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/hadir-id/hadir/server"
)

// Kept-aside ("held") events: events the server stored but does not count
// (unknown NIP, another unit's person, an impossible time) until HR looks.
// The API scopes the list (an operator sees their units' kiosks and
// people) and lets only an admin release or dismiss, audited with the
// reason typed here.

var heldOrder = map[string]func(a, b server.Event) int{
	"time":   func(a, b server.Event) int { return a.Time.Compare(b.Time) },
	"device": func(a, b server.Event) int { return strings.Compare(a.Device, b.Device) },
	"nip":    func(a, b server.Event) int { return strings.Compare(a.NIP, b.NIP) },
	"reason": func(a, b server.Event) int { return strings.Compare(a.Held, b.Held) },
}

type heldData struct {
	Rows   []server.Event
	Pager  pager
	Sort   string
	Review string // pending or all
	Notice string
}

func (c *Console) handleHeld(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := heldData{Review: q.Get("review")}
	if d.Review != "all" {
		d.Review = "pending"
	}
	var out struct {
		Events []server.Event `json:"events"`
	}
	if err := c.get(r, v.s, "/api/v1/held-events?review="+d.Review, &out); err != nil {
		return err
	}
	d.Sort = sortRows(r, out.Events, heldOrder, "time")
	d.Pager = c.paginate(r, len(out.Events))
	d.Rows = out.Events[d.Pager.From:d.Pager.To]
	if id := q.Get("done"); id != "" {
		d.Notice = v.T("held.done", id)
	}
	v.Title, v.Data = "held.title", d
	c.render(w, v, "held", http.StatusOK)
	return nil
}

// handleReviewHeld releases or dismisses one held event with the reason.
func (c *Console) handleReviewHeld(w http.ResponseWriter, r *http.Request, v *view) error {
	dev, id, verb := r.PathValue("device"), r.PathValue("id"), r.PathValue("verb")
	if verb != "release" && verb != "dismiss" {
		return errNotFound
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		return &apiError{status: http.StatusBadRequest, msg: v.T("held.noreason")}
	}
	path := "/api/v1/held-events/" + url.PathEscape(dev) + "/" + url.PathEscape(id) + "/" + verb
	if err := c.send(r, v.s, http.MethodPost, path, map[string]string{"note": note}, nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/held?done="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}
