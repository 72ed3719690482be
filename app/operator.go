package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
)

// Operator-mode tabs.
const (
	tabEnroll    = kiosk.ScreenEnroll
	tabEmployees = kiosk.ScreenEmployees
	tabBulk      = kiosk.ScreenBulk
	tabLog       = kiosk.ScreenLog
	tabSync      = kiosk.ScreenSync
	tabAudit     = kiosk.ScreenAudit
	tabSettings  = kiosk.ScreenSettings
)

var allTabs = []string{tabEnroll, tabEmployees, tabBulk, tabLog, tabSync, tabAudit, tabSettings}

// operatorTab is one screen of operator mode.
type operatorTab interface {
	content() fyne.CanvasObject
	shown()   // the tab was selected: refresh its data
	leave()   // operator mode ends: stop goroutines
	refresh() // camera or sync state changed
}

// operatorScreen holds the tabs the session's role may use.
type operatorScreen struct {
	k     *window
	root  *fyne.Container
	tabs  *container.AppTabs
	names []string
	impl  map[string]operatorTab
	items map[string]*container.TabItem
}

func newOperatorScreen(k *window) *operatorScreen {
	o := &operatorScreen{k: k, impl: map[string]operatorTab{}, items: map[string]*container.TabItem{}}
	o.tabs = container.NewAppTabs()
	for _, name := range allTabs {
		if !k.ops.Lock.Session().May(name) {
			continue
		}
		t := o.build(name)
		o.impl[name] = t
		item := container.NewTabItem(tr("tab."+name), t.content())
		o.items[name] = item
		o.names = append(o.names, name)
		o.tabs.Append(item)
	}
	o.tabs.OnSelected = func(*container.TabItem) {
		k.touch()
		if t := o.impl[o.current()]; t != nil {
			t.shown()
		}
	}
	s := k.ops.Lock.Session()
	who := widget.NewLabel(trf("operator.who", map[string]any{"Name": s.Name, "Role": tr("role." + string(s.Role))}))
	done := widget.NewButtonWithIcon(tr("operator.lock"), theme.LogoutIcon(), func() { k.lock(kiosk.LogoutByOperator) })
	done.Importance = widget.HighImportance
	header := container.NewHBox(widget.NewIcon(theme.AccountIcon()), who, layout.NewSpacer(), done)
	o.root = container.NewBorder(container.NewPadded(header), nil, nil, nil, o.tabs)
	if len(o.names) > 0 {
		o.impl[o.names[0]].shown()
	}
	return o
}

func (o *operatorScreen) build(name string) operatorTab {
	switch name {
	case tabEnroll:
		return newEnrollWizard(o.k)
	case tabEmployees:
		return newEmployeesTab(o.k)
	case tabBulk:
		return newBulkTab(o.k)
	case tabLog:
		return newLogTab(o.k)
	case tabSync:
		return newSyncTab(o.k)
	case tabAudit:
		return newAuditTab(o.k)
	}
	return newSettingsTab(o.k)
}

// selectTab shows a tab by name (if the role has it).
func (o *operatorScreen) selectTab(name string) {
	if item := o.items[name]; item != nil {
		o.tabs.Select(item)
	}
}

// current is the selected tab's name.
func (o *operatorScreen) current() string {
	sel := o.tabs.Selected()
	for name, item := range o.items {
		if item == sel {
			return name
		}
	}
	return ""
}

// tab returns a tab's implementation (tests and the screenshot tour).
func (o *operatorScreen) tab(name string) operatorTab { return o.impl[name] }

func (o *operatorScreen) leave() {
	for _, t := range o.impl {
		t.leave()
	}
}

func (o *operatorScreen) cameraChanged() {
	for _, t := range o.impl {
		t.refresh()
	}
}

func (o *operatorScreen) syncChanged() {
	if t := o.impl[tabSync]; t != nil {
		t.refresh()
	}
}
