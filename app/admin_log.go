package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// logRows bounds the attendance log on screen; the CSV export has all.
const logRows = 1000

// logTab is the admin's attendance log: filters by date, unit and person,
// and a CSV export (streamed, audited).
type logTab struct {
	k      *window
	root   fyne.CanvasObject
	date   *widget.Entry
	unit   *widget.Select
	person *widget.Entry
	path   *widget.Entry
	msg    *widget.Label
	count  *widget.Label
	list   *widget.List
	rows   []storage.Event
	emps   map[string]storage.Employee
	gen    uint64
}

func newLogTab(k *window) *logTab {
	t := &logTab{k: k, date: widget.NewEntry(), person: widget.NewEntry(), path: widget.NewEntry(), msg: wrapped(""),
		count: widget.NewLabel("")}
	t.date.SetText(k.now().In(k.location()).Format(time.DateOnly))
	t.date.SetPlaceHolder(tr("log.date_placeholder"))
	t.person.SetPlaceHolder(tr("log.person_placeholder"))
	t.unit = widget.NewSelect(nil, func(string) { k.touch() })
	t.path.SetText(filepath.Join(k.svc.DataDir, "exports", "presensi-"+k.now().Format("20060102-150405")+".csv"))
	for _, e := range []*widget.Entry{t.date, t.person, t.path} {
		e.OnChanged = func(string) { k.touch() }
	}
	t.list = widget.NewList(func() int { return len(t.rows) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(6, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""),
				widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := t.rows[i]
			emp := t.emps[e.NIP]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(e.Time.In(k.location()).Format("2006-01-02 15:04"))
			cells[1].(*widget.Label).SetText(e.NIP)
			cells[2].(*widget.Label).SetText(emp.Name)
			cells[3].(*widget.Label).SetText(emp.Unit)
			cells[4].(*widget.Label).SetText(tr("event.kind." + string(e.Kind)))
			cells[5].(*widget.Label).SetText(tr("event.sync." + e.Sync.String()))
		})
	show := widget.NewButtonWithIcon(tr("log.show"), theme.SearchIcon(), t.load)
	show.Importance = widget.HighImportance
	export := widget.NewButtonWithIcon(tr("log.export"), theme.DownloadIcon(), t.export)
	filters := widget.NewForm(
		widget.NewFormItem(tr("log.date"), t.date),
		widget.NewFormItem(tr("field.unit"), t.unit),
		widget.NewFormItem(tr("log.person"), t.person),
	)
	header := container.NewGridWithColumns(6, bold(tr("log.col.time")), bold(tr("field.nip")), bold(tr("field.name")),
		bold(tr("field.unit")), bold(tr("log.col.kind")), bold(tr("log.col.sync")))
	top := container.NewVBox(filters, container.NewHBox(show, layout.NewSpacer(), t.count), header)
	bottom := container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewLabel(tr("log.export_to")), export, t.path), t.msg)
	t.root = container.NewBorder(top, bottom, nil, nil, t.list)
	return t
}

func (t *logTab) content() fyne.CanvasObject { return t.root }
func (t *logTab) leave()                     { t.gen++ }
func (t *logTab) refresh()                   {}

// shown fills the unit choices and loads the log.
func (t *logTab) shown() {
	units := []string{tr("log.all_units")}
	if emps, err := kiosk.EmployeeMap(t.k.ctx, t.k.svc.Store); err == nil {
		set := map[string]bool{}
		for _, e := range emps {
			if e.Unit != "" && !set[e.Unit] {
				set[e.Unit] = true
				units = append(units, e.Unit)
			}
		}
		sort.Strings(units[1:])
	}
	sel := t.unit.Selected
	t.unit.SetOptions(units)
	if sel == "" {
		t.unit.SetSelectedIndex(0)
	}
	t.load()
}

// filter reads the filter fields.
func (t *logTab) filter() (kiosk.LogFilter, error) {
	unit := t.unit.Selected
	if t.unit.SelectedIndex() <= 0 {
		unit = ""
	}
	return kiosk.DayFilter(t.date.Text, unit, t.person.Text, t.k.location())
}

// load reads the matching events off the UI thread.
func (t *logTab) load() {
	k := t.k
	k.touch()
	f, err := t.filter()
	if err != nil {
		t.msg.SetText(tr("log.bad_date"))
		return
	}
	t.msg.SetText(tr("common.loading"))
	t.gen++
	gen, st := t.gen, k.svc.Store
	type found struct {
		evs  []storage.Event
		emps map[string]storage.Employee
	}
	offUI(k, func(ctx context.Context) (found, error) {
		evs, err := kiosk.FindEvents(ctx, st, f, logRows)
		emps, _ := kiosk.EmployeeMap(ctx, st)
		return found{evs, emps}, err
	}, func(r found, err error) {
		if gen != t.gen {
			return
		}
		if err != nil {
			t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.rows, t.emps = r.evs, r.emps
		t.msg.SetText("")
		t.count.SetText(trf("log.count", map[string]any{"N": strconv.Itoa(len(r.evs))}))
		t.list.Refresh()
	})
}

// export writes the filtered log to a CSV file and audits it.
func (t *logTab) export() {
	k := t.k
	k.touch()
	f, err := t.filter()
	if err != nil {
		t.msg.SetText(tr("log.bad_date"))
		return
	}
	path := t.path.Text
	t.msg.SetText(tr("log.exporting"))
	st, day := k.svc.Store, t.dateText(f)
	offUI(k, func(ctx context.Context) (int, error) { // streamed to disk
		n, err := kiosk.ExportFile(ctx, st, path, f)
		if err == nil {
			err = st.RecordAudit(ctx, storage.Audit{Action: storage.ActionExport, Subject: path,
				Detail: fmt.Sprintf("attendance log CSV, %d rows, date %q unit %q person %q", n, day, f.Unit, f.Person)})
		}
		return n, err
	}, func(n int, err error) {
		if err != nil {
			t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		t.msg.SetText(trf("log.exported", map[string]any{"N": strconv.Itoa(n), "Path": path}))
	})
}

func (t *logTab) dateText(f kiosk.LogFilter) string {
	if f.From.IsZero() {
		return ""
	}
	return f.From.Format(time.DateOnly)
}
