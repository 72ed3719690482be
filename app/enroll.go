package app

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// Steps of the enrollment wizard.
const (
	stepPrivacy = iota
	stepEmployee
	stepCapture
	stepReview
	stepDone
	stepTrial
)

// enrollWizard guides an operator through one enrollment: privacy notice
// (UU PDP) → employee → guided capture → duplicate check → save → "try it
// now". UI thread only; the capture and the trial run on goroutines it
// owns and stops (stopCapture, stopTrial via the kiosk).
type enrollWizard struct {
	k    *window
	root *fyne.Container
	step int

	agree *widget.Check
	next0 *widget.Button

	nip, name, pin *widget.Entry
	unit           *widget.SelectEntry
	found, msg1    *widget.Label
	existing       bool

	cap       *kiosk.Capturer
	capCancel context.CancelFunc
	capDone   chan struct{}
	capGen    uint64
	target    *canvas.Text
	hint      *canvas.Text
	count     *widget.ProgressBar
	dupLabel  *widget.Label
	skip      *widget.Button
	samples   []kiosk.Sample
	conflicts []kiosk.DupMatch

	reviewMsg *widget.Label
	save      *widget.Button
	doneMsg   *widget.Label
	syncMsg   *widget.Label
	trialText *canvas.Text
	trialSub  *canvas.Text
	trialOK   bool
}

func newEnrollWizard(k *window) *enrollWizard {
	w := &enrollWizard{k: k, root: container.NewStack()}
	w.agree = widget.NewCheck(tr("enroll.privacy.agree"), func(on bool) {
		k.touch()
		if on {
			w.next0.Enable()
		} else {
			w.next0.Disable()
		}
	})
	w.next0 = widget.NewButtonWithIcon(tr("common.next"), theme.NavigateNextIcon(), func() { w.goTo(stepEmployee) })
	w.next0.Importance = widget.HighImportance
	w.nip, w.name, w.pin = widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry()
	w.unit = widget.NewSelectEntry(nil)
	w.found, w.msg1 = wrapped(""), wrapped("")
	w.msg1.Importance = widget.DangerImportance
	for _, e := range []*widget.Entry{w.nip, w.name, w.pin} {
		e.OnChanged = func(string) { k.touch() }
	}
	w.nip.SetPlaceHolder(tr("enroll.nip_placeholder"))
	w.pin.SetPlaceHolder(tr("enroll.pin_placeholder"))
	w.target = bigText("", 30, colWhite, true)
	w.hint = bigText("", 24, colWarn, false)
	w.count = widget.NewProgressBar()
	w.count.Max = float64(len(kiosk.CapturePlan))
	w.count.TextFormatter = func() string {
		return trf("enroll.capture.count", map[string]any{"N": int(w.count.Value), "Of": len(kiosk.CapturePlan)})
	}
	w.dupLabel = wrapped("")
	w.dupLabel.Importance = widget.DangerImportance
	w.reviewMsg, w.doneMsg, w.syncMsg = wrapped(""), wrapped(""), wrapped("")
	w.trialText = bigText("", 34, colWhite, true)
	w.trialSub = bigText("", 24, colWhite, false)
	w.goTo(stepPrivacy)
	return w
}

func (w *enrollWizard) content() fyne.CanvasObject { return w.root }
func (w *enrollWizard) shown()                     {}
func (w *enrollWizard) refresh()                   {}

// leave abandons the enrollment (operator mode ends).
func (w *enrollWizard) leave() {
	w.stopCapture()
	w.k.stopTrial()
	w.step = -1
}

// startFor begins a re-enrollment of an existing employee.
func (w *enrollWizard) startFor(emp storage.Employee) {
	w.reset()
	w.nip.SetText(emp.NIP)
	w.name.SetText(emp.Name)
	w.unit.SetText(emp.Unit)
	w.goTo(stepPrivacy)
}

// reset clears the wizard for the next employee.
func (w *enrollWizard) reset() {
	w.stopCapture()
	w.k.stopTrial()
	w.agree.SetChecked(false)
	w.next0.Disable()
	for _, e := range []*widget.Entry{w.nip, w.name, w.pin} {
		e.SetText("")
	}
	w.unit.SetText("")
	w.found.SetText("")
	w.msg1.SetText("")
	w.samples, w.conflicts, w.existing, w.trialOK = nil, nil, false, false
}

// goTo shows a step.
func (w *enrollWizard) goTo(step int) {
	w.k.touch()
	if w.step == stepCapture && step != stepCapture {
		w.stopCapture()
	}
	if w.step == stepTrial && step != stepTrial {
		w.k.stopTrial()
	}
	w.step = step
	var c fyne.CanvasObject
	switch step {
	case stepPrivacy:
		if !w.agree.Checked {
			w.next0.Disable()
		}
		c = w.privacyStep()
	case stepEmployee:
		c = w.employeeStep()
	case stepCapture:
		c = w.captureStep()
	case stepReview:
		c = w.reviewStep()
	case stepDone:
		c = w.doneStep()
	case stepTrial:
		c = w.trialStep()
	}
	w.root.Objects = []fyne.CanvasObject{c}
	w.root.Refresh()
}

// stepTitle is the wizard's header: "Step 2 of 5: Employee".
func stepTitle(n int, key string) fyne.CanvasObject {
	return heading(trf("enroll.step", map[string]any{"N": n, "Of": 5, "Title": tr(key)}))
}

func (w *enrollWizard) privacyStep() fyne.CanvasObject {
	text := container.NewVBox(
		wrapped(tr("enroll.privacy.intro")),
		widget.NewLabelWithStyle(tr("enroll.privacy.purpose_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("enroll.privacy.purpose")),
		widget.NewLabelWithStyle(tr("enroll.privacy.retention_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("enroll.privacy.retention")),
		widget.NewLabelWithStyle(tr("enroll.privacy.rights_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("enroll.privacy.rights")),
	)
	return container.NewBorder(stepTitle(1, "enroll.privacy.title"),
		container.NewVBox(w.agree, container.NewHBox(layout.NewSpacer(), w.next0)), nil, nil,
		container.NewVScroll(text))
}

func (w *enrollWizard) employeeStep() fyne.CanvasObject {
	w.unit.SetOptions(w.units())
	find := widget.NewButtonWithIcon(tr("enroll.find"), theme.SearchIcon(), w.lookup)
	next := widget.NewButtonWithIcon(tr("enroll.start_capture"), theme.NavigateNextIcon(), w.checkEmployee)
	next.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), func() { w.goTo(stepPrivacy) })
	form := widget.NewForm(
		widget.NewFormItem(tr("field.nip"), container.NewBorder(nil, nil, nil, find, w.nip)),
		widget.NewFormItem(tr("field.name"), w.name),
		widget.NewFormItem(tr("field.unit"), w.unit),
		widget.NewFormItem(tr("field.fallback_pin"), w.pin),
	)
	return container.NewBorder(stepTitle(2, "enroll.employee.title"),
		container.NewHBox(back, layout.NewSpacer(), next), nil, nil,
		container.NewVBox(wrapped(tr("enroll.employee.explain")), form, w.found, w.msg1))
}

// units lists the units already in use, for the unit field's choices.
func (w *enrollWizard) units() []string {
	emps, err := w.k.svc.Store.Employees(w.k.ctx)
	if err != nil {
		return nil
	}
	set := map[string]bool{}
	for _, e := range emps {
		if e.Unit != "" {
			set[e.Unit] = true
		}
	}
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// lookup finds an employee by NIP and fills the form (re-enrollment).
func (w *enrollWizard) lookup() {
	w.k.touch()
	nip := strings.TrimSpace(w.nip.Text)
	w.msg1.SetText("")
	if err := storage.ValidateNIP(nip); err != nil {
		w.msg1.SetText(nipError(err))
		return
	}
	emp, err := w.k.svc.Store.Employee(w.k.ctx, nip)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		w.existing = false
		w.found.SetText(tr("enroll.new_employee"))
	case err != nil:
		w.msg1.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
	default:
		w.existing = true
		w.name.SetText(emp.Name)
		w.unit.SetText(emp.Unit)
		w.found.SetText(trf("enroll.existing_employee", map[string]any{"Name": emp.Name}))
	}
}

// checkEmployee validates the form and starts the capture.
func (w *enrollWizard) checkEmployee() {
	nip := strings.TrimSpace(w.nip.Text)
	w.nip.SetText(nip)
	if err := storage.ValidateNIP(nip); err != nil {
		w.msg1.SetText(nipError(err))
		return
	}
	if strings.TrimSpace(w.name.Text) == "" {
		w.msg1.SetText(tr("enroll.name_missing"))
		return
	}
	if p := w.pin.Text; p != "" && storage.ValidateEmployeePIN(p) != nil {
		w.msg1.SetText(tr("enroll.pin_rule"))
		return
	}
	_, err := w.k.svc.Store.Employee(w.k.ctx, nip)
	w.existing = err == nil
	w.msg1.SetText("")
	w.goTo(stepCapture)
}

// nipError explains an invalid NIP: the translated rule, then the
// validator's detail (which part of the number is wrong).
func nipError(err error) string {
	if !errors.Is(err, storage.ErrInvalidNIP) {
		return err.Error()
	}
	return trf("err.nip_invalid_detail", map[string]any{"Detail": err.Error()})
}

// handoff passes the newest value from a worker goroutine to the UI
// thread, one hand-over at a time: a slow UI skips values, it never
// queues them.
type handoff[T any] struct {
	mu     sync.Mutex
	v      T
	full   bool
	queued atomic.Bool
}

func (h *handoff[T]) post(v T, do func(func()), show func(T)) {
	h.mu.Lock()
	h.v, h.full = v, true
	h.mu.Unlock()
	if !h.queued.CompareAndSwap(false, true) {
		return
	}
	do(func() {
		h.queued.Store(false)
		h.mu.Lock()
		v, ok := h.v, h.full
		var zero T
		h.v, h.full = zero, false
		h.mu.Unlock()
		if ok {
			show(v)
		}
	})
}
