package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hadir-id/hadir/server"
)

// auditChunk is how many entries one store read returns.
const auditChunk = 5000

// auditFilter is the audit page's who/what/when filter.
type auditFilter struct {
	Who, What, From, To string
	from, to            time.Time
}

func (c *Console) auditFilter(r *http.Request) auditFilter {
	q := r.URL.Query()
	f := auditFilter{Who: strings.TrimSpace(q.Get("who")), What: strings.TrimSpace(q.Get("what")), From: q.Get("from"), To: q.Get("to")}
	loc := c.opt.Schedule("").Location()
	if t, err := time.ParseInLocation(time.DateOnly, f.From, loc); err == nil {
		f.from = t
	} else {
		f.From = ""
	}
	if t, err := time.ParseInLocation(time.DateOnly, f.To, loc); err == nil {
		f.to = t.AddDate(0, 0, 1)
	} else {
		f.To = ""
	}
	return f
}

func (f auditFilter) match(e server.AuditEntry) bool {
	return (f.Who == "" || strings.Contains(strings.ToLower(e.Actor), strings.ToLower(f.Who))) &&
		(f.What == "" || strings.Contains(e.Action, f.What) || strings.Contains(e.Target, f.What)) &&
		(f.from.IsZero() || !e.Time.Before(f.from)) && (f.to.IsZero() || e.Time.Before(f.to))
}

// auditEntries reads the log (the API pages it oldest first with no
// filter, so the console reads the store, for admins and auditors only)
// and returns the matching entries newest first. The read itself is
// audited, as the API's is.
func (c *Console) auditEntries(r *http.Request, v *view, f auditFilter) ([]server.AuditEntry, error) {
	if v.User.Role != server.RoleAdmin && v.User.Role != server.RoleAuditor {
		return nil, errForbidden
	}
	var out []server.AuditEntry
	for after := int64(0); ; {
		es, err := c.opt.Store.AuditLog(r.Context(), after, auditChunk)
		if err != nil {
			return nil, fmt.Errorf("read audit log after %d: %w", after, err)
		}
		for _, e := range es {
			if f.match(e) {
				out = append(out, e)
			}
		}
		if len(es) < auditChunk {
			break
		}
		after = es[len(es)-1].ID
	}
	slices.Reverse(out)
	err := c.opt.Store.Audit(r.Context(), server.AuditEntry{Time: c.opt.Now().UTC(), Actor: "user:" + v.User.Name, Action: "audit.read",
		Detail: fmt.Sprintf("console who=%q what=%q from=%s to=%s entries=%d", f.Who, f.What, f.From, f.To, len(out)), Remote: remoteHost(r)})
	return out, err
}

func remoteHost(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return strings.Trim(r.RemoteAddr[:i], "[]")
	}
	return r.RemoteAddr
}

type auditData struct {
	Rows   []server.AuditEntry
	Pager  pager
	Filter auditFilter
	CSV    string
}

func (c *Console) handleAudit(w http.ResponseWriter, r *http.Request, v *view) error {
	f := c.auditFilter(r)
	es, err := c.auditEntries(r, v, f)
	if err != nil {
		return err
	}
	d := auditData{Filter: f, Pager: c.paginate(r, len(es))}
	d.Rows = es[d.Pager.From:d.Pager.To]
	d.CSV = "/audit.csv?" + r.URL.Query().Encode()
	v.Title, v.Data = "audit.title", d
	c.render(w, v, "audit", http.StatusOK)
	return nil
}

// handleAuditCSV exports the filtered log, formulas defused.
func (c *Console) handleAuditCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	es, err := c.auditEntries(r, v, c.auditFilter(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "hadir-audit-"+c.opt.Now().Format("2006-01-02")+".csv"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "time", "actor", "action", "target", "detail", "remote"})
	for _, e := range es {
		cw.Write([]string{fmt.Sprint(e.ID), e.Time.UTC().Format(time.RFC3339), cell(e.Actor), cell(e.Action), cell(e.Target), cell(e.Detail), cell(e.Remote)})
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses spreadsheet formulas in free text (CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
