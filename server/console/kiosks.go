package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

// kiosk is one row of the fleet table.
type kiosk struct {
	server.Device
	Offline     bool
	BacklogAge  time.Duration // age of the oldest unsynced event (0: none)
	OldBacklog  bool
	OffsetSec   float64
	ClockAlert  bool
	LastContact time.Time
}

func (c *Console) fleet(r *http.Request, v *view) ([]kiosk, error) {
	var out struct {
		Devices []server.Device `json:"devices"`
	}
	if err := c.get(r, v.s, "/api/v1/devices", &out); err != nil {
		return nil, err
	}
	now := c.opt.Now()
	ks := make([]kiosk, 0, len(out.Devices))
	for _, d := range out.Devices {
		k := kiosk{Device: d, OffsetSec: d.Heartbeat.ClockOffset.Seconds(), LastContact: d.Heartbeat.Received}
		if d.LastSeen.After(k.LastContact) {
			k.LastContact = d.LastSeen
		}
		k.Offline = !d.Revoked() && (k.LastContact.IsZero() || now.Sub(k.LastContact) > c.opt.OfflineAfter)
		if d.Heartbeat.Backlog > 0 && !d.Heartbeat.OldestPending.IsZero() {
			k.BacklogAge = now.Sub(d.Heartbeat.OldestPending)
			k.OldBacklog = !d.Revoked() && k.BacklogAge > c.opt.OldBacklog
		}
		k.ClockAlert = !d.Revoked() && (d.Heartbeat.ClockFlagged || d.Heartbeat.ClockOffset.Abs() > server.MaxClockOffset)
		ks = append(ks, k)
	}
	return ks, nil
}

// sortDir reads dir=asc|desc (default asc).
func sortDir(r *http.Request) int {
	if r.URL.Query().Get("dir") == "desc" {
		return -1
	}
	return 1
}

var kioskOrder = map[string]func(a, b kiosk) int{
	"id":        func(a, b kiosk) int { return strings.Compare(a.ID, b.ID) },
	"unit":      func(a, b kiosk) int { return strings.Compare(strings.Join(a.Units, ","), strings.Join(b.Units, ",")) },
	"heartbeat": func(a, b kiosk) int { return a.LastContact.Compare(b.LastContact) },
	"backlog":   func(a, b kiosk) int { return cmp.Compare(a.Heartbeat.Backlog, b.Heartbeat.Backlog) },
	"offset":    func(a, b kiosk) int { return cmp.Compare(abs(a.OffsetSec), abs(b.OffsetSec)) },
	"version":   func(a, b kiosk) int { return strings.Compare(a.Heartbeat.AppVersion, b.Heartbeat.AppVersion) },
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// sortRows sorts rows by the query's sort key (one of order, else def),
// ties by the default key, in the query's direction.
func sortRows[T any](r *http.Request, rows []T, order map[string]func(a, b T) int, def string) string {
	key := r.URL.Query().Get("sort")
	if order[key] == nil {
		key = def
	}
	dir := sortDir(r)
	slices.SortStableFunc(rows, func(a, b T) int {
		if n := order[key](a, b); n != 0 {
			return dir * n
		}
		return order[def](a, b)
	})
	return key
}

type kiosksData struct {
	Rows   []kiosk
	Pager  pager
	Sort   string
	Desc   bool
	Code   *codeData
	Units  string
	Notice string
}

func (c *Console) handleKiosks(w http.ResponseWriter, r *http.Request, v *view) error {
	ks, err := c.fleet(r, v)
	if err != nil {
		return err
	}
	d := kiosksData{Sort: sortRows(r, ks, kioskOrder, "id"), Desc: sortDir(r) < 0}
	d.Pager = c.paginate(r, len(ks))
	d.Rows = ks[d.Pager.From:d.Pager.To]
	if r.URL.Query().Get("revoked") != "" {
		d.Notice = v.T("kiosks.revoked", r.URL.Query().Get("revoked"))
	}
	v.Title, v.Data = "kiosks.title", d
	c.render(w, v, "kiosks", http.StatusOK)
	return nil
}

// codeData is a freshly created enrollment code: shown once, on the
// response to the POST, never stored by the console.
type codeData struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires_at"`
	Units   []string  `json:"units"`
}

func (c *Console) handleCreateCode(w http.ResponseWriter, r *http.Request, v *view) error {
	units := splitList(r.PostFormValue("units"))
	body := map[string]any{"units": units}
	if ttl := strings.TrimSpace(r.PostFormValue("ttl")); ttl != "" {
		body["ttl"] = ttl
	}
	var code codeData
	if err := c.send(r, v.s, http.MethodPost, "/api/v1/enrollment-codes", body, &code); err != nil {
		return err
	}
	v.Title, v.Data = "code.title", &code
	c.render(w, v, "code", http.StatusCreated)
	return nil
}

// splitList splits a comma- or space-separated list, dropping blanks.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (c *Console) handleRevoke(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	if err := c.send(r, v.s, http.MethodPost, "/api/v1/devices/"+url.PathEscape(id)+"/revoke", nil, nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/kiosks?revoked="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}
