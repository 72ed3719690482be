package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
)

// problemScreen explains why the kiosk cannot run (store in use by
// another process, models missing, wrong key) and what to do, instead of
// crashing or showing a blank window.
func (k *window) problemScreen(se *kiosk.StartupError) fyne.CanvasObject {
	title := heading(tr(se.Key + ".title"))
	title.Importance = widget.DangerImportance
	detail := wrapped(se.Err.Error())
	detail.TextStyle.Monospace = true
	quit := widget.NewButtonWithIcon(tr("kiosk.quit"), theme.LogoutIcon(), k.app.Quit)
	return container.NewPadded(container.NewVBox(
		container.NewHBox(widget.NewIcon(theme.ErrorIcon()), title),
		wrapped(tr(se.Key+".explain")),
		widget.NewSeparator(),
		widget.NewLabel(tr("problem.detail")),
		detail,
		layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), quit),
	))
}

// loadingScreen is shown while the store and the face models load (a few
// seconds: the models are ~170 MB).
func loadingScreen() fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	return container.NewCenter(container.NewVBox(
		heading(tr("kiosk.title")),
		widget.NewLabel(tr("kiosk.loading")),
		bar,
	))
}
