package app

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// auditRows bounds the audit entries kept on screen (the newest).
const auditRows = 2000

// auditTab is the audit log viewer: newest first, filtered by any text
// (actor, action, subject, detail). It only reads: the log is append-only.
type auditTab struct {
	k      *window
	root   fyne.CanvasObject
	filter *widget.Entry
	count  *widget.Label
	list   *widget.List
	all    []storage.Audit
	rows   []storage.Audit
	gen    uint64
}

func newAuditTab(k *window) *auditTab {
	t := &auditTab{k: k, filter: widget.NewEntry(), count: widget.NewLabel("")}
	t.filter.SetPlaceHolder(tr("audit.filter"))
	t.filter.OnChanged = func(string) { k.touch(); t.apply() }
	t.list = widget.NewList(func() int { return len(t.rows) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(4, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			a := t.rows[i]
			c := o.(*fyne.Container).Objects
			c[0].(*widget.Label).SetText(a.At.In(k.location()).Format("2006-01-02 15:04:05"))
			c[1].(*widget.Label).SetText(a.Actor)
			c[2].(*widget.Label).SetText(auditActionText(a.Action))
			c[3].(*widget.Label).SetText(strings.TrimSpace(a.Subject + " " + a.Detail))
		})
	reload := widget.NewButtonWithIcon(tr("audit.reload"), theme.ViewRefreshIcon(), t.shown)
	header := container.NewGridWithColumns(4, bold(tr("audit.col.time")), bold(tr("audit.col.actor")),
		bold(tr("audit.col.action")), bold(tr("audit.col.detail")))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, reload, t.filter), t.count, header)
	t.root = container.NewBorder(top, nil, nil, nil, t.list)
	return t
}

// knownActions have a translation ("audit.action.<name>").
var knownActions = map[storage.AuditAction]bool{
	storage.ActionEnroll: true, storage.ActionReEnroll: true, storage.ActionEmployee: true, storage.ActionErase: true,
	storage.ActionExport: true, storage.ActionSetting: true, storage.ActionOperator: true, storage.ActionLogin: true,
	storage.ActionLoginFailure: true, storage.ActionPurge: true, storage.ActionMigrate: true,
	storage.ActionLockout: true, kiosk.ActionLogout: true, kiosk.ActionImport: true, "device-register": true,
}

// auditActionText translates known actions and shows others as stored.
func auditActionText(a storage.AuditAction) string {
	if knownActions[a] {
		return tr("audit.action." + string(a))
	}
	return string(a)
}

func (t *auditTab) content() fyne.CanvasObject { return t.root }
func (t *auditTab) leave()                     { t.gen++ }
func (t *auditTab) refresh()                   {}

// shown reads the log off the UI thread, keeping the newest entries.
func (t *auditTab) shown() {
	k := t.k
	k.touch()
	t.gen++
	gen, st := t.gen, k.svc.Store
	offUI(k, func(ctx context.Context) ([]storage.Audit, error) {
		return kiosk.ReadAudit(ctx, st, auditRows)
	}, func(all []storage.Audit, err error) {
		if gen != t.gen {
			return
		}
		if err != nil {
			t.count.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.all = all
		t.apply()
	})
}

// apply filters the entries by the search text.
func (t *auditTab) apply() {
	q := strings.ToLower(strings.TrimSpace(t.filter.Text))
	t.rows = t.rows[:0]
	for _, a := range t.all {
		if q == "" || strings.Contains(strings.ToLower(a.Actor+" "+string(a.Action)+" "+a.Subject+" "+a.Detail+" "+auditActionText(a.Action)), q) {
			t.rows = append(t.rows, a)
		}
	}
	t.count.SetText(trf("audit.count", map[string]any{"N": strconv.Itoa(len(t.rows))}))
	t.list.Refresh()
}
