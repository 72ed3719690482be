package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // snapshots of the live test
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/kiosk"
)

// cameraPanel explains the camera's state and, for an operator, chooses
// the source with a live test. On the public check-in screen (kiosk true)
// it is the "no camera" screen: it explains what is wrong and offers only
// a way into operator mode, because whoever stands at the kiosk must not
// point it at another source (a video file would fake attendance, a
// probe of any URL or path would show what it finds). In the admin
// settings it is the camera chooser.
type cameraPanel struct {
	k         *window
	kiosk     bool
	root      *fyne.Container
	title     *widget.Label
	detail    *widget.Label
	spec      *widget.Entry
	result    *widget.Label
	snap      *canvas.Image
	test      *widget.Button
	save      *widget.Button
	configure *widget.Button // kiosk mode: log in and open the camera settings
	busy      bool
}

func newCameraPanel(k *window, kioskMode bool) *cameraPanel {
	p := &cameraPanel{k: k, kiosk: kioskMode, title: heading(""), detail: wrapped(""), spec: widget.NewEntry(),
		result: wrapped(""), snap: canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 4, 3)))}
	p.spec.SetPlaceHolder(tr("camera.placeholder"))
	p.spec.SetText(k.cam.spec)
	p.spec.OnChanged = func(string) { k.touch() }
	p.snap.FillMode = canvas.ImageFillContain
	p.snap.SetMinSize(fyne.NewSize(320, 240))
	p.snap.Hide()
	p.test = widget.NewButtonWithIcon(tr("camera.test"), theme.MediaPlayIcon(), p.runTest)
	p.save = widget.NewButtonWithIcon(tr("camera.use"), theme.DocumentSaveIcon(), p.use)
	p.save.Importance = widget.HighImportance
	body := container.NewVBox(p.title, p.detail, widget.NewSeparator())
	if kioskMode {
		p.configure = widget.NewButtonWithIcon(tr("camera.configure"), theme.SettingsIcon(), func() {
			k.showOperator(tabSettings) // asks for the PIN (or the first admin) first
		})
		body.Add(container.NewHBox(p.configure))
	} else {
		body.Add(widget.NewLabel(tr("camera.choose")))
		body.Add(wrapped(tr("camera.kinds")))
		body.Add(p.spec)
		body.Add(container.NewHBox(p.test, p.save))
		body.Add(p.result)
		body.Add(container.NewCenter(p.snap))
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	p.root = container.NewStack(bg, container.NewVScroll(container.NewPadded(body)))
	p.update()
	return p
}

// update explains the camera's state (no camera, connecting, ...).
func (p *cameraPanel) update() {
	st := p.k.cam.status
	if !p.kiosk {
		p.title.SetText(tr("camera.settings_title"))
		p.detail.SetText(cameraStateText(st))
		return
	}
	switch {
	case p.k.cam.src != nil && st.State == camera.StateConnecting:
		p.title.SetText(tr("camera.connecting"))
		p.detail.SetText(trf("camera.connecting_detail", map[string]any{"Source": st.Source}))
	default:
		p.title.SetText(tr("camera.none"))
		msg := ""
		if st.Err != nil {
			msg = st.Err.Error()
		}
		p.detail.SetText(trf("camera.none_detail", map[string]any{"Source": st.Source, "Error": msg}))
	}
}

// cameraStateText is a one-line camera status for the settings screen.
func cameraStateText(st camera.Status) string {
	data := map[string]any{"Source": st.Source, "FPS": fmt.Sprintf("%.1f", st.FPS),
		"Width": st.Info.Width, "Height": st.Info.Height, "Error": ""}
	if st.Err != nil {
		data["Error"] = st.Err.Error()
	}
	switch st.State {
	case camera.StateLive:
		return trf("camera.state.live", data)
	case camera.StateConnecting:
		return trf("camera.state.connecting", data)
	case camera.StateReconnecting:
		return trf("camera.state.reconnecting", data)
	}
	return trf("camera.state.failed", data)
}

// runTest probes the chosen source once (open, one frame, frame rate)
// off the UI thread and shows the snapshot.
func (p *cameraPanel) runTest() {
	p.k.touch()
	if p.busy || p.kiosk || !p.k.ops.Lock.Session().May(tabSettings) {
		return
	}
	spec := p.spec.Text
	p.busy = true
	p.test.Disable()
	p.result.SetText(tr("camera.testing"))
	dir := filepath.Join(os.TempDir(), "hadir-probe")
	type probed struct {
		res camera.ProbeResult
		img image.Image
	}
	offUI(p.k, func(ctx context.Context) (probed, error) { // bounded by the camera's own open timeout
		pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		_ = os.MkdirAll(dir, 0o700)
		snapPath := filepath.Join(dir, "snapshot.jpg")
		res, err := camera.Probe(pctx, spec, snapPath)
		var img image.Image
		if err == nil {
			if data, rerr := os.ReadFile(snapPath); rerr == nil {
				img, _, _ = image.Decode(bytes.NewReader(data))
			}
			_ = os.Remove(snapPath)
		}
		return probed{res, img}, err
	}, func(r probed, err error) { p.tested(r.res, r.img, err) })
}

func (p *cameraPanel) tested(res camera.ProbeResult, img image.Image, err error) {
	p.busy = false
	p.test.Enable()
	if err != nil {
		p.result.SetText(trf("camera.test_failed", map[string]any{"Error": err.Error()}))
		p.snap.Hide()
		return
	}
	p.result.SetText(trf("camera.test_ok", map[string]any{"Width": res.Info.Width, "Height": res.Info.Height,
		"FPS": fmt.Sprintf("%.1f", max(res.MeasuredFPS, res.Info.FPS)), "Codec": res.Info.Codec}))
	if img != nil {
		p.snap.Image = img
		p.snap.Show()
		p.snap.Refresh()
	}
}

// use saves the source and switches to it. Changing the camera is an
// admin's decision (a video file instead of a camera would fake
// attendance): only a session that may change settings can.
func (p *cameraPanel) use() {
	if p.kiosk || !p.k.ops.Lock.Session().May(tabSettings) {
		return
	}
	spec := p.spec.Text
	if _, err := camera.ParseSpec(spec); err != nil {
		p.result.SetText(trf("camera.test_failed", map[string]any{"Error": err.Error()}))
		return
	}
	k := p.k
	k.saveSettings(func(err error) {
		if err != nil {
			p.result.SetText(trf("common.error", map[string]any{"Error": err.Error()}))
			return
		}
		k.ops.Cfg.Camera = "" // the saved choice wins over the start-up flag from now on
		k.openCamera(spec)
		p.result.SetText(tr("camera.saved"))
	}, [2]string{kiosk.SettingCamera, spec})
}
