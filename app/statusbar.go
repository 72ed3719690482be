package app

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/kiosk"
)

// statusBar is always visible on the check-in screen: the clock and date,
// whether the kiosk reaches the server, how many events wait to be sent,
// and when the last sync succeeded. A payroll office asks about exactly
// these when a record seems missing.
type statusBar struct {
	root    *fyne.Container
	clock   *canvas.Text
	date    *canvas.Text
	online  *canvas.Text
	pending *canvas.Text
	last    *canvas.Text
	clockW  *canvas.Text // device clock differs from the server's
}

func newStatusBar(operator func()) *statusBar {
	b := &statusBar{
		clock:   leftText("", 30, colWhite, true),
		date:    leftText("", 20, colWhite, false),
		online:  leftText("", 20, colMuted, true),
		pending: leftText("", 18, colWhite, false),
		last:    leftText("", 18, colWhite, false),
		clockW:  leftText("", 18, colWarn, true),
	}
	op := widget.NewButtonWithIcon(tr("kiosk.operator"), theme.AccountIcon(), operator)
	op.Importance = widget.LowImportance
	b.root = container.NewStack(canvas.NewRectangle(colCardBG), container.NewPadded(container.NewHBox(
		container.NewVBox(b.clock, b.date),
		layout.NewSpacer(),
		container.NewVBox(b.online, b.clockW),
		container.NewVBox(b.pending, b.last),
		container.NewCenter(op),
	)))
	return b
}

func leftText(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := bigText(s, size, c, bold)
	t.Alignment = fyne.TextAlignLeading
	return t
}

// tick updates the clock and date.
func (b *statusBar) tick(now time.Time) {
	setText(b.clock, now.Format("15:04:05"), colWhite)
	setText(b.date, dateText(now), colWhite)
}

// update shows the sync state and the outbox size.
func (b *statusBar) update(s kiosk.SyncStatus, pending int, now time.Time) {
	b.tick(now)
	switch {
	case !s.Configured:
		setText(b.online, tr("status.not_configured"), colMuted)
	case s.Revoked:
		setText(b.online, tr("status.revoked"), colBad)
	case s.Online:
		setText(b.online, tr("status.online"), colGood)
	default:
		setText(b.online, tr("status.offline"), colBad)
	}
	setText(b.pending, trf("status.pending", map[string]any{"N": strconv.Itoa(pending)}), colWhite)
	last := tr("common.never")
	if !s.LastSuccess.IsZero() {
		ls := s.LastSuccess.In(now.Location())
		last = clockText(ls)
		if ls.YearDay() != now.YearDay() || ls.Year() != now.Year() {
			last = ls.Format("02-01 15:04")
		}
	}
	setText(b.last, trf("status.last_sync", map[string]any{"When": last}), colWhite)
	if s.ClockWarning {
		setText(b.clockW, tr("status.clock_warning"), colWarn)
	} else {
		setText(b.clockW, "", colWarn)
	}
}
