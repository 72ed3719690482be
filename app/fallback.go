package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// fallbackForm is the NIP + PIN entry offered after repeated failed
// attempts. It has its own keypad: a lobby tablet has no keyboard.
type fallbackForm struct {
	k    *window
	c    *checkinScreen
	root *fyne.Container
	nip  *widget.Entry
	pin  *widget.Entry
	msg  *widget.Label
	ok   *widget.Button
	busy bool
}

func newFallbackForm(k *window, c *checkinScreen) *fallbackForm {
	f := &fallbackForm{k: k, c: c, nip: widget.NewEntry(), pin: widget.NewPasswordEntry(), msg: wrapped("")}
	f.nip.SetPlaceHolder(tr("fallback.nip_placeholder"))
	f.pin.SetPlaceHolder(tr("fallback.pin_placeholder"))
	f.msg.Importance = widget.DangerImportance
	f.ok = widget.NewButtonWithIcon(tr("fallback.submit"), theme.ConfirmIcon(), f.submit)
	f.ok.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), f.close)
	form := container.NewVBox(
		heading(tr("fallback.title")),
		wrapped(tr("fallback.explain")),
		widget.NewForm(
			widget.NewFormItem(tr("field.nip"), f.nip),
			widget.NewFormItem(tr("field.pin"), f.pin),
		),
		keypad(f.key, f.backspace),
		f.msg,
		container.NewGridWithColumns(2, cancel, f.ok),
	)
	panel := container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameBackground)), container.NewPadded(form))
	f.root = container.NewStack(canvas.NewRectangle(colCardBG),
		container.NewCenter(container.NewStack(sizedBox(560, 0), panel)))
	f.root.Hide()
	return f
}

// keypad is a 0-9 pad with a delete key; digits need no translation.
func keypad(key func(string), del func()) *fyne.Container {
	g := container.NewGridWithColumns(3)
	for _, d := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9} {
		s := strconv.Itoa(d)
		g.Add(widget.NewButton(s, func() { key(s) }))
	}
	g.Add(layout.NewSpacer())
	zero := strconv.Itoa(0)
	g.Add(widget.NewButton(zero, func() { key(zero) }))
	g.Add(widget.NewButtonWithIcon("", theme.ContentUndoIcon(), del))
	return g
}

// key types a digit: into the NIP until it has 18, then into the PIN.
func (f *fallbackForm) key(d string) {
	if len(f.nip.Text) < 18 {
		f.nip.SetText(f.nip.Text + d)
		return
	}
	f.pin.SetText(f.pin.Text + d)
}

func (f *fallbackForm) backspace() {
	switch {
	case f.pin.Text != "":
		f.pin.SetText(f.pin.Text[:len(f.pin.Text)-1])
	case f.nip.Text != "":
		f.nip.SetText(f.nip.Text[:len(f.nip.Text)-1])
	}
}

// open shows the form (the "use NIP and PIN" button).
func (f *fallbackForm) open() {
	f.nip.SetText("")
	f.pin.SetText("")
	f.msg.SetText("")
	f.root.Show()
}

func (c *checkinScreen) openForm() { c.form.open() }

// close hides the form and lets the pipeline start a fresh attempt.
func (f *fallbackForm) close() {
	f.root.Hide()
	f.nip.SetText("")
	f.pin.SetText("")
	if p := f.k.ops.CurrentPipeline(); p != nil {
		p.Reset()
	}
}

// submit records a manual event through the pipeline, with a photo of
// whoever stands in front of the camera (for the supervisor who approves
// it). Hashing the PIN and the fsync run off the UI thread.
func (f *fallbackForm) submit() {
	p := f.k.ops.CurrentPipeline()
	if p == nil || f.busy {
		return
	}
	nip, pin := f.nip.Text, f.pin.Text
	if err := storage.ValidateNIP(nip); err != nil {
		f.msg.SetText(tr("err.nip_invalid"))
		return
	}
	if pin == "" {
		f.msg.SetText(tr("fallback.pin_missing"))
		return
	}
	f.busy = true
	f.ok.Disable()
	src := f.k.cam.src
	gen := f.k.cam.gen
	offUI(f.k, func(ctx context.Context) (checkin.State, error) { // one manual check-in
		photo := snapshotJPEG(src)
		mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return p.Manual(mctx, nip, pin, photo)
	}, func(st checkin.State, err error) {
		f.busy = false
		f.ok.Enable()
		if gen != f.k.cam.gen || f.c != f.k.checkin {
			return
		}
		f.done(st, err)
	})
}

// done shows the outcome of a manual check-in.
func (f *fallbackForm) done(st checkin.State, err error) {
	switch {
	case errors.Is(err, storage.ErrBadCredentials):
		f.msg.SetText(tr("fallback.wrong_pin"))
		f.pin.SetText("")
	case errors.Is(err, checkin.ErrPINLocked):
		f.msg.SetText(tr("fallback.locked"))
		f.pin.SetText("")
	case err != nil && st.Kind == "":
		f.msg.SetText(trf("fallback.failed", map[string]any{"Error": err.Error()}))
	default:
		f.root.Hide()
		f.c.showCard(st, nil)
		f.c.cardKey = cardKey(st)
	}
}

// snapshotJPEG encodes the newest camera frame ("" when there is none).
func snapshotJPEG(src *camera.Source) []byte {
	if src == nil {
		return nil
	}
	f := camera.NewFrame()
	defer f.Close()
	if _, ok := src.Latest(f); !ok {
		return nil
	}
	b, err := f.EncodeJPEG(nil, 85)
	if err != nil {
		return nil
	}
	return b
}
