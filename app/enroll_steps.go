package app

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// captureStep shows the live preview with quality feedback and starts the
// capture goroutine.
func (w *enrollWizard) captureStep() fyne.CanvasObject {
	w.samples, w.conflicts = nil, nil
	w.count.SetValue(0)
	w.dupLabel.SetText("")
	setText(w.target, tr("capture.pose."+string(kiosk.PoseStraight)), colWhite)
	setText(w.hint, "", colWarn)
	w.skip = widget.NewButton(tr("enroll.capture.skip_pose"), func() {
		w.k.touch()
		if w.cap != nil {
			w.cap.SkipPose()
		}
	})
	restart := widget.NewButtonWithIcon(tr("enroll.capture.restart"), theme.ViewRefreshIcon(), func() { w.goTo(stepCapture) })
	back := widget.NewButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), func() { w.goTo(stepEmployee) })
	side := container.NewVBox(
		widget.NewLabelWithStyle(trf("enroll.capture.for", map[string]any{"Name": w.name.Text, "NIP": w.nip.Text}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("enroll.capture.explain")),
		w.target, w.hint, w.count, w.dupLabel,
		layout.NewSpacer(),
		w.skip,
		container.NewHBox(back, restart),
	)
	w.startCapture()
	return container.NewBorder(stepTitle(3, "enroll.capture.title"), nil, nil,
		container.NewStack(sizedBox(380, 0), side), w.k.preview.root)
}

// startCapture runs a capturer on the current camera.
func (w *enrollWizard) startCapture() {
	w.stopCapture()
	k := w.k
	if k.cam.src == nil {
		setText(w.hint, tr("camera.none"), colBad)
		return
	}
	o, err := k.ops.PipelineOptions()
	if err != nil {
		o.Policy.Threshold = 0.42
	}
	w.cap = kiosk.NewCapturer(k.svc.Engine, k.svc.Gallery, w.nip.Text, o.Policy.Threshold, k.clock.Now)
	w.capGen++
	gen := w.capGen
	ctx, cancel := context.WithCancel(k.ctx)
	done := make(chan struct{})
	w.capCancel, w.capDone = cancel, done
	c := w.cap
	var src frameSource = k.cam.src
	if k.opt.frames != nil {
		src = k.opt.frames(k.cam.src)
	}
	h := &handoff[kiosk.CaptureUpdate]{}
	go func() { // the capture: owned by the wizard, stopped by stopCapture
		defer close(done)
		c.Run(ctx, src, func(u kiosk.CaptureUpdate) {
			h.post(u, k.do, func(u kiosk.CaptureUpdate) {
				if gen == w.capGen {
					w.captured(u)
				}
			})
		})
	}()
}

// stopCapture stops the capture goroutine and waits for it.
func (w *enrollWizard) stopCapture() {
	if w.capCancel == nil {
		return
	}
	w.capCancel()
	<-w.capDone
	w.capCancel, w.capDone = nil, nil
	w.capGen++
}

// captured shows one capture update (UI thread).
func (w *enrollWizard) captured(u kiosk.CaptureUpdate) {
	if w.step != stepCapture {
		return
	}
	col := colWarn
	if u.Good {
		col = colGood
		w.k.touch() // a capture in progress is activity
	}
	w.k.preview.setBox(u.Box, u.FrameSize, col)
	w.count.SetValue(float64(u.Count))
	setText(w.target, tr("capture.pose."+string(u.Target)), colWhite)
	switch {
	case u.Err != nil:
		setText(w.hint, trf("common.error", map[string]any{"Error": u.Err.Error()}), colBad)
	case u.Good:
		setText(w.hint, tr("capture.good"), colGood)
	default:
		setText(w.hint, tr(u.Hint), colWarn)
	}
	if u.Dup != nil {
		w.dupLabel.SetText(w.dupText(*u.Dup))
	}
	if u.Done {
		w.samples, w.conflicts = w.cap.Samples(), w.cap.Duplicates()
		w.goTo(stepReview)
	}
}

// dupText names both people of a duplicate match.
func (w *enrollWizard) dupText(d kiosk.DupMatch) string {
	other := d.NIP
	if e, err := w.k.svc.Store.Employee(w.k.ctx, d.NIP); err == nil {
		other = e.Name
	}
	return trf("enroll.duplicate", map[string]any{"Other": other, "OtherNIP": d.NIP,
		"Name": w.name.Text, "NIP": w.nip.Text})
}

// reviewStep runs the duplicate check over all samples against everyone
// enrolled and offers to save.
func (w *enrollWizard) reviewStep() fyne.CanvasObject {
	o, _ := w.k.ops.PipelineOptions()
	var blocked *kiosk.DupMatch
	for _, s := range w.samples {
		if other, dist, dup := w.k.svc.Gallery.Duplicate(s.Face.Descriptor, w.nip.Text, o.Policy.Threshold); dup {
			blocked = &kiosk.DupMatch{NIP: other, Distance: dist}
			break
		}
	}
	w.save = widget.NewButtonWithIcon(tr("enroll.save"), theme.DocumentSaveIcon(), w.doSave)
	w.save.Importance = widget.HighImportance
	if blocked != nil {
		w.reviewMsg.SetText(w.dupText(*blocked))
		w.reviewMsg.Importance = widget.DangerImportance
		w.save.Disable()
	} else {
		w.reviewMsg.SetText(trf("enroll.review.ok", map[string]any{"N": len(w.samples)}))
		w.reviewMsg.Importance = widget.SuccessImportance
	}
	photo := widget.NewIcon(theme.AccountIcon())
	var pic fyne.CanvasObject = photo
	for _, s := range w.samples {
		if s.Photo != nil {
			if img, err := jpeg.Decode(bytes.NewReader(s.Photo)); err == nil {
				ci := canvas.NewImageFromImage(img)
				ci.FillMode = canvas.ImageFillContain
				ci.SetMinSize(fyne.NewSize(180, 240))
				pic = ci
			}
			break
		}
	}
	retake := widget.NewButtonWithIcon(tr("enroll.capture.restart"), theme.ViewRefreshIcon(), func() { w.goTo(stepCapture) })
	cancel := widget.NewButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), func() { w.reset(); w.goTo(stepPrivacy) })
	info := container.NewVBox(
		widget.NewLabelWithStyle(trf("enroll.capture.for", map[string]any{"Name": w.name.Text, "NIP": w.nip.Text}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		w.reviewMsg,
	)
	return container.NewBorder(stepTitle(4, "enroll.review.title"),
		container.NewHBox(cancel, retake, layout.NewSpacer(), w.save), nil, nil,
		container.NewHBox(pic, info))
}

// doSave stores the enrollment under the operator's name.
func (w *enrollWizard) doSave() {
	k := w.k
	k.touch()
	e := kiosk.Enrollment{
		Employee: storage.Employee{NIP: w.nip.Text, Name: strings.TrimSpace(w.name.Text), Unit: strings.TrimSpace(w.unit.Text)},
		PIN:      w.pin.Text, Samples: w.samples, Replace: w.existing,
	}
	w.save.Disable()
	ops := k.ops
	offUI(k, func(ctx context.Context) ([]storage.Template, error) {
		return ops.Enroll(ctx, e)
	}, func(saved []storage.Template, err error) {
		if err != nil {
			w.save.Enable()
			w.reviewMsg.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			w.reviewMsg.Importance = widget.DangerImportance
			w.reviewMsg.Refresh()
			return
		}
		w.doneMsg.SetText(trf("enroll.saved", map[string]any{"N": len(saved), "Name": e.Employee.Name}))
		w.syncMsg.SetText(tr("enroll.sync.sending"))
		w.goTo(stepDone)
		w.push(e.Employee.NIP)
	})
}

// push sends the enrollment to the server in the background (the server
// checks the face against every other NIP of the regency).
func (w *enrollWizard) push(nip string) {
	k := w.k
	if !k.svc.Sync.Status().Registered {
		w.syncMsg.SetText(tr("enroll.sync.offline_only"))
		return
	}
	sy := k.svc.Sync
	offUI(k, func(ctx context.Context) (struct{}, error) { // bounded by the sync client's timeout
		return struct{}{}, sy.PushEnrollment(ctx, nip)
	}, func(_ struct{}, err error) {
		if d, ok := kiosk.AsDuplicateFace(err); ok {
			w.syncMsg.SetText(trf("enroll.sync.duplicate", map[string]any{"Other": d.ConflictName, "OtherNIP": d.ConflictNIP}))
			return
		}
		switch err {
		case nil:
			w.syncMsg.SetText(tr("enroll.sync.sent"))
		default:
			w.syncMsg.SetText(trf("enroll.sync.later", map[string]any{"Why": tr(kiosk.SyncErrorKey(err))}))
		}
	})
}

func (w *enrollWizard) doneStep() fyne.CanvasObject {
	try := widget.NewButtonWithIcon(tr("enroll.try"), theme.MediaPlayIcon(), func() { w.goTo(stepTrial) })
	try.Importance = widget.HighImportance
	another := widget.NewButtonWithIcon(tr("enroll.another"), theme.ContentAddIcon(), func() { w.reset(); w.goTo(stepPrivacy) })
	return container.NewBorder(stepTitle(5, "enroll.done.title"),
		container.NewHBox(another, layout.NewSpacer(), try), nil, nil,
		container.NewVBox(w.doneMsg, w.syncMsg, wrapped(tr("enroll.try_explain"))))
}

// trialStep runs the real check-in pipeline in trial mode: the operator
// sees whether the new templates recognise the person; nothing counts as
// attendance.
func (w *enrollWizard) trialStep() fyne.CanvasObject {
	w.trialOK = false
	setText(w.trialText, tr("state.idle"), colWhite)
	setText(w.trialSub, tr("enroll.trial.note"), colWarn)
	finish := widget.NewButtonWithIcon(tr("enroll.trial.finish"), theme.ConfirmIcon(), func() { w.reset(); w.goTo(stepPrivacy) })
	finish.Importance = widget.HighImportance
	w.k.startTrial(w.trialState)
	side := container.NewVBox(w.trialText, w.trialSub, layout.NewSpacer(), finish)
	return container.NewBorder(heading(tr("enroll.trial.title")), nil, nil,
		container.NewStack(sizedBox(380, 0), side), w.k.preview.root)
}

// trialState shows a trial pipeline state.
func (w *enrollWizard) trialState(st checkin.State, _ image.Image) {
	if w.step != stepTrial {
		return
	}
	w.k.touch()
	w.k.preview.setBox(st.Box, st.FrameSize, stateColour(st.Kind))
	text, sub := guidance(st)
	if st.Kind == checkin.StateRecorded && st.Result != nil && st.Result.Trial && st.Person != nil {
		w.trialOK = true
		text = trf("enroll.trial.ok", map[string]any{"Name": st.Person.Name})
		sub = tr("enroll.trial.note")
	}
	if sub == "" {
		sub = tr("enroll.trial.note")
	}
	setText(w.trialText, text, stateColour(st.Kind))
	setText(w.trialSub, sub, colWarn)
}
