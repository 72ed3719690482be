package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// bulkTab imports many employees from a CSV (NIP, name, unit, photo file)
// and a folder of photos, with a progress bar and a per-row report of
// what was refused and why. An interrupted import resumes where it
// stopped.
type bulkTab struct {
	k       *window
	root    fyne.CanvasObject
	csvPath *widget.Entry
	dir     *widget.Entry
	start   *widget.Button
	stop    *widget.Button
	bar     *widget.ProgressBar
	msg     *widget.Label
	list    *widget.List
	results []kiosk.BulkResult
	report  *widget.Entry

	cancel context.CancelFunc
	done   chan struct{}
	gen    uint64
}

func newBulkTab(k *window) *bulkTab {
	t := &bulkTab{k: k, csvPath: widget.NewEntry(), dir: widget.NewEntry(), bar: widget.NewProgressBar(), msg: wrapped(""),
		report: widget.NewEntry()}
	t.csvPath.SetPlaceHolder(tr("bulk.csv_placeholder"))
	t.dir.SetPlaceHolder(tr("bulk.dir_placeholder"))
	t.report.SetText(filepath.Join(k.svc.DataDir, "exports", "import-report.csv"))
	t.start = widget.NewButtonWithIcon(tr("bulk.start"), theme.MediaPlayIcon(), t.run)
	t.start.Importance = widget.HighImportance
	t.stop = widget.NewButtonWithIcon(tr("bulk.stop"), theme.MediaStopIcon(), t.halt)
	t.stop.Disable()
	t.list = widget.NewList(func() int { return len(t.results) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(4, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := t.results[i]
			c := o.(*fyne.Container).Objects
			c[0].(*widget.Label).SetText(strconv.Itoa(r.Line))
			c[1].(*widget.Label).SetText(r.NIP)
			if r.OK {
				c[2].(*widget.Label).SetText(tr("bulk.enrolled"))
			} else {
				c[2].(*widget.Label).SetText(tr("bulk.refused"))
			}
			c[3].(*widget.Label).SetText(bulkReasonText(r))
		})
	saveReport := widget.NewButtonWithIcon(tr("bulk.save_report"), theme.DownloadIcon(), t.saveReport)
	form := widget.NewForm(
		widget.NewFormItem(tr("bulk.csv"), t.csvPath),
		widget.NewFormItem(tr("bulk.dir"), t.dir),
	)
	header := container.NewGridWithColumns(4, bold(tr("bulk.col.line")), bold(tr("field.nip")), bold(tr("bulk.col.result")),
		bold(tr("bulk.col.reason")))
	top := container.NewVBox(wrapped(tr("bulk.explain")), form, container.NewHBox(t.start, t.stop, layout.NewSpacer()),
		t.bar, t.msg, header)
	bottom := container.NewBorder(nil, nil, widget.NewLabel(tr("bulk.report_to")), saveReport, t.report)
	t.root = container.NewBorder(top, bottom, nil, nil, t.list)
	return t
}

// bulkReasonText is a refusal in words with its detail.
func bulkReasonText(r kiosk.BulkResult) string {
	if r.OK {
		return ""
	}
	s := tr("bulk.reason." + r.Reason)
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

func (t *bulkTab) content() fyne.CanvasObject { return t.root }
func (t *bulkTab) shown()                     {}
func (t *bulkTab) refresh()                   {}

// leave stops a running import (it resumes next time).
func (t *bulkTab) leave() { t.halt() }

// run starts (or resumes) the import on its own goroutine.
func (t *bulkTab) run() {
	k := t.k
	k.touch()
	if t.cancel != nil {
		return
	}
	csvPath := strings.TrimSpace(t.csvPath.Text)
	if csvPath == "" {
		t.msg.SetText(tr("bulk.csv_missing"))
		return
	}
	dir := strings.TrimSpace(t.dir.Text)
	if dir == "" {
		dir = filepath.Dir(csvPath)
	}
	o, err := k.ops.PipelineOptions()
	if err != nil {
		o.Policy.Threshold = 0.42
	}
	job := &kiosk.BulkJob{Store: k.svc.Store, Detector: k.svc.Engine, Gallery: k.svc.Gallery, CSVPath: csvPath, PhotoDir: dir,
		Threshold: o.Policy.Threshold, StateDir: filepath.Join(k.svc.DataDir, "import")}
	t.results = nil
	t.list.Refresh()
	t.bar.SetValue(0)
	t.msg.SetText(tr("bulk.running"))
	t.start.Disable()
	t.stop.Enable()
	t.gen++
	gen := t.gen
	ctx, cancel := context.WithCancel(k.ops.Actor())
	done := make(chan struct{})
	t.cancel, t.done = cancel, done
	h := &handoff[bulkProgressMsg]{}
	var results []kiosk.BulkResult // owned by the import goroutine; copies go to the UI
	go func() {                    // the import: owned by the tab, stopped by halt
		defer close(done)
		sum, err := job.Run(ctx, func(n, total int, r kiosk.BulkResult) {
			results = append(results, r)
			h.post(bulkProgressMsg{n: n, total: total, results: append([]kiosk.BulkResult(nil), results...)}, k.do, func(m bulkProgressMsg) {
				if gen == t.gen {
					t.progress(m)
				}
			})
		})
		detail := fmt.Sprintf("%s: %d rows, %d earlier, %d enrolled, %d refused", csvPath, sum.Total, sum.Skipped, sum.OK, sum.Refused)
		if err != nil {
			detail += "; stopped: " + err.Error()
		}
		_ = k.svc.Store.RecordAudit(context.WithoutCancel(ctx), storage.Audit{Action: kiosk.ActionImport, Subject: csvPath, Detail: detail})
		final := append([]kiosk.BulkResult(nil), results...)
		k.do(func() {
			if gen == t.gen {
				t.finished(sum, final, err)
			}
		})
	}()
}

type bulkProgressMsg struct {
	n, total int
	results  []kiosk.BulkResult
}

// progress shows the rows handled so far (UI thread). A long import
// counts as operator activity.
func (t *bulkTab) progress(m bulkProgressMsg) {
	t.k.touch()
	if m.total > 0 {
		t.bar.SetValue(float64(m.n) / float64(m.total))
	}
	t.results = m.results
	t.list.Refresh()
	t.list.ScrollToBottom()
}

func (t *bulkTab) finished(sum kiosk.BulkSummary, results []kiosk.BulkResult, err error) {
	t.cancel, t.done = nil, nil
	t.start.Enable()
	t.stop.Disable()
	t.results = results
	t.list.Refresh()
	data := map[string]any{"OK": sum.OK, "Refused": sum.Refused, "Skipped": sum.Skipped, "Total": sum.Total}
	switch {
	case err == context.Canceled:
		t.msg.SetText(trf("bulk.stopped", data))
	case err != nil:
		t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
	default:
		t.bar.SetValue(1)
		t.msg.SetText(trf("bulk.finished", data))
	}
}

// halt stops the import after the current row and waits for it.
func (t *bulkTab) halt() {
	if t.cancel == nil {
		return
	}
	t.cancel()
	<-t.done
	t.cancel, t.done = nil, nil
	t.start.Enable()
	t.stop.Disable()
}

// saveReport writes the per-row report as CSV (audited as an export).
func (t *bulkTab) saveReport() {
	k := t.k
	k.touch()
	path := strings.TrimSpace(t.report.Text)
	if err := kiosk.WriteBulkReport(path, t.results); err != nil {
		t.msg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
		return
	}
	k.audit(storage.Audit{Action: storage.ActionExport, Subject: path, Detail: fmt.Sprintf("import report, %d rows", len(t.results))})
	t.msg.SetText(trf("bulk.report_saved", map[string]any{"Path": path}))
}
