package app

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/storage"
)

// employeesTab lists and searches employees; from it an operator
// re-enrolls, sets a fallback PIN or deletes (erases) one.
type employeesTab struct {
	k       *window
	root    fyne.CanvasObject
	search  *widget.Entry
	list    *widget.List
	all     []storage.Employee
	visible []storage.Employee
	sel     *storage.Employee

	detail  *widget.Label
	count   *widget.Label
	msg     *widget.Label
	pin     *widget.Entry
	actions *fyne.Container
	confirm *fyne.Container
}

func newEmployeesTab(k *window) *employeesTab {
	t := &employeesTab{k: k, search: widget.NewEntry(), detail: wrapped(""), count: widget.NewLabel(""), msg: wrapped(""),
		pin: widget.NewPasswordEntry()}
	t.search.SetPlaceHolder(tr("employees.search"))
	t.search.OnChanged = func(string) { k.touch(); t.filter() }
	t.pin.SetPlaceHolder(tr("employees.pin_placeholder"))
	t.list = widget.NewList(func() int { return len(t.visible) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(3, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := t.visible[i]
			row := o.(*fyne.Container).Objects
			row[0].(*widget.Label).SetText(e.NIP)
			row[1].(*widget.Label).SetText(e.Name)
			row[2].(*widget.Label).SetText(e.Unit)
		})
	t.list.OnSelected = func(i widget.ListItemID) {
		k.touch()
		if i >= 0 && i < len(t.visible) {
			e := t.visible[i]
			t.selectEmployee(&e)
		}
	}
	reenroll := widget.NewButtonWithIcon(tr("employees.reenroll"), theme.AccountIcon(), t.reenroll)
	setPIN := widget.NewButtonWithIcon(tr("employees.set_pin"), theme.ConfirmIcon(), t.setPIN)
	del := widget.NewButtonWithIcon(tr("employees.delete"), theme.DeleteIcon(), func() { k.touch(); t.confirm.Show() })
	del.Importance = widget.DangerImportance
	yes := widget.NewButton(tr("employees.delete_yes"), t.erase)
	yes.Importance = widget.DangerImportance
	no := widget.NewButton(tr("common.cancel"), func() { k.touch(); t.confirm.Hide() })
	t.confirm = container.NewVBox(wrapped(tr("employees.delete_confirm")), container.NewHBox(yes, no))
	t.confirm.Hide()
	t.actions = container.NewVBox(reenroll, container.NewBorder(nil, nil, nil, setPIN, t.pin), del, t.confirm)
	t.actions.Hide()
	side := container.NewVBox(t.detail, t.actions, t.msg)
	header := container.NewGridWithColumns(3, bold(tr("field.nip")), bold(tr("field.name")), bold(tr("field.unit")))
	left := container.NewBorder(container.NewVBox(t.search, t.count, header), nil, nil, nil, t.list)
	t.root = container.NewBorder(nil, nil, nil, container.NewStack(sizedBox(380, 0), container.NewPadded(side)), left)
	return t
}

// bold is a bold label (column headers).
func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (t *employeesTab) content() fyne.CanvasObject { return t.root }
func (t *employeesTab) leave()                     {}
func (t *employeesTab) refresh()                   {}

// shown reloads the list when the tab is opened.
func (t *employeesTab) shown() { t.reload() }

func (t *employeesTab) reload() {
	emps, err := t.k.svc.Store.Employees(t.k.ctx)
	if err != nil {
		t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
		return
	}
	t.all = emps
	t.filter()
}

// filter keeps the employees whose NIP, name or unit contains the search.
func (t *employeesTab) filter() {
	q := strings.ToLower(strings.TrimSpace(t.search.Text))
	t.visible = t.visible[:0]
	for _, e := range t.all {
		if q == "" || strings.Contains(e.NIP, q) || strings.Contains(strings.ToLower(e.Name), q) ||
			strings.Contains(strings.ToLower(e.Unit), q) {
			t.visible = append(t.visible, e)
		}
	}
	t.count.SetText(trf("employees.count", map[string]any{"N": strconv.Itoa(len(t.visible)), "Total": strconv.Itoa(len(t.all))}))
	t.list.UnselectAll()
	t.list.Refresh()
	t.selectEmployee(nil)
}

func (t *employeesTab) selectEmployee(e *storage.Employee) {
	t.sel = e
	t.confirm.Hide()
	t.msg.SetText("")
	if e == nil {
		t.detail.SetText(tr("employees.none_selected"))
		t.actions.Hide()
		return
	}
	n := 0
	if ts, err := t.k.svc.Store.Templates(t.k.ctx, e.NIP); err == nil {
		n = len(ts)
	}
	t.detail.SetText(trf("employees.detail", map[string]any{"Name": e.Name, "NIP": e.NIP, "Unit": e.Unit,
		"Status": tr("employees.status." + string(e.Status)), "N": strconv.Itoa(n)}))
	t.actions.Show()
}

// reenroll opens the wizard for the selected employee.
func (t *employeesTab) reenroll() {
	t.k.touch()
	if t.sel == nil || t.k.operator == nil {
		return
	}
	e := *t.sel
	if w, ok := t.k.operator.tab(tabEnroll).(*enrollWizard); ok {
		t.k.operator.selectTab(tabEnroll)
		w.startFor(e)
	}
}

// setPIN sets the selected employee's fallback PIN (audited).
func (t *employeesTab) setPIN() {
	t.k.touch()
	if t.sel == nil {
		return
	}
	p := t.pin.Text
	if storage.ValidateEmployeePIN(p) != nil {
		t.msg.SetText(tr("enroll.pin_rule"))
		return
	}
	st, nip := t.k.svc.Store, t.sel.NIP
	offUI(t.k, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, st.SetEmployeePIN(ctx, nip, p)
	}, func(_ struct{}, err error) {
		if err != nil {
			t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.pin.SetText("")
		t.msg.SetText(tr("employees.pin_saved"))
	})
}

// erase deletes the selected employee: record, templates, evidence and
// enrollment photos (UU PDP erasure, audited), and takes them out of the
// live gallery at once.
func (t *employeesTab) erase() {
	k := t.k
	k.touch()
	if t.sel == nil {
		return
	}
	nip, name, ops := t.sel.NIP, t.sel.Name, k.ops
	offUI(k, func(ctx context.Context) (storage.EraseReport, error) {
		return ops.Erase(ctx, nip)
	}, func(rep storage.EraseReport, err error) {
		if err != nil {
			t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.reload()
		t.msg.SetText(trf("employees.deleted", map[string]any{"Name": name, "Templates": strconv.Itoa(rep.Templates),
			"Photos": strconv.Itoa(rep.Photos)}))
	})
}
