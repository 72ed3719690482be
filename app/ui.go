package app

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tr returns the translation of key in the current language. The fallback
// is the key itself, so a key missing from a translation file shows up
// raw on screen, where the language test catches it.
func tr(key string) string { return lang.X(key, key) }

// trf is tr with template data ({{.Name}} in the translation).
func trf(key string, data map[string]any) string { return lang.X(key, key, data) }

// Colours of the check-in states; the face box and the result card use
// them so a person reads the outcome from across the lobby.
var (
	colGood    = color.NRGBA{R: 0x1b, G: 0x9e, B: 0x4b, A: 0xff}
	colWarn    = color.NRGBA{R: 0xf0, G: 0xa2, B: 0x02, A: 0xff}
	colBad     = color.NRGBA{R: 0xd6, G: 0x28, B: 0x28, A: 0xff}
	colBusy    = color.NRGBA{R: 0x1e, G: 0x88, B: 0xe5, A: 0xff}
	colMuted   = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
	colCardBG  = color.NRGBA{R: 0x20, G: 0x24, B: 0x2a, A: 0xf0}
	colWhite   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	colPreview = color.NRGBA{R: 0x10, G: 0x10, B: 0x10, A: 0xff}
)

// bigText is a canvas.Text of the given size: labels at widget size are
// unreadable from 1.5 m, so the check-in screen uses these.
func bigText(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	t.Alignment = fyne.TextAlignCenter
	return t
}

// setText changes a canvas.Text only when needed (Refresh is not free).
func setText(t *canvas.Text, s string, c color.Color) {
	if t.Text == s && t.Color == c {
		return
	}
	t.Text, t.Color = s, c
	t.Refresh()
}

// heading is a bold label in the theme's heading size.
func heading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// wrapped is a label that wraps words, for explanations.
func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// clockText formats a time of day as the kiosk shows it (24 h).
func clockText(t time.Time) string { return t.Format("15:04") }

// dateText writes a date in words in the current language, e.g. "Senin,
// 24 November 2025": the day and month names come from the translation
// files, not from the system locale (kiosks run with LANG=C).
func dateText(t time.Time) string {
	return trf("date.long", map[string]any{
		"Weekday": tr("weekday." + strconv.Itoa(int(t.Weekday()))),
		"Day":     t.Day(),
		"Month":   tr("month." + strconv.Itoa(int(t.Month()))),
		"Year":    t.Year(),
	})
}

// dateTimeText is a compact date and time for logs and lists.
func dateTimeText(t time.Time) string {
	if t.IsZero() {
		return tr("common.never")
	}
	return t.Format("2006-01-02 15:04:05")
}

// kioskTheme is Fyne's dark theme with larger text: the kiosk is read
// from a step away and touched with fingers.
type kioskTheme struct{}

func (kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, theme.VariantDark)
}
func (kioskTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 17
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNamePadding:
		return 6
	}
	return theme.DefaultTheme().Size(n)
}

// fitText sets t's size to the largest up to maxSize (in steps of 2)
// at which it fits maxW: a long name or a long Indonesian sentence must
// not push the layout off a 1280x800 screen.
func fitText(t *canvas.Text, maxW, maxSize float32) {
	size := maxSize
	for size > 12 && fyne.MeasureText(t.Text, size, t.TextStyle).Width > maxW {
		size -= 2
	}
	if t.TextSize != size {
		t.TextSize = size
		t.Refresh()
	}
}

// fixedWidth lays its objects on top of each other at a fixed width,
// whatever their own minimum widths.
type fixedWidth float32

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(float32(w), h)
}

// thinBar is a slim progress bar for the check-in screen (the widget's
// is as tall as a button).
type thinBar struct {
	root *fyne.Container
	fill *canvas.Rectangle
	frac float32
}

func newThinBar() *thinBar {
	b := &thinBar{fill: canvas.NewRectangle(colBusy)}
	track := canvas.NewRectangle(color.NRGBA{R: 0x40, G: 0x44, B: 0x4a, A: 0xff})
	b.root = container.New(b, track, b.fill)
	return b
}

func (b *thinBar) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[1].Resize(fyne.NewSize(size.Width*b.frac, size.Height))
}

func (b *thinBar) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(100, 8) }

// set shows fraction f (0-1) in colour c.
func (b *thinBar) set(f float64, c color.Color) {
	b.frac = float32(max(0, min(1, f)))
	b.fill.FillColor = c
	b.root.Refresh()
}

func (b *thinBar) Show() { b.root.Show() }
func (b *thinBar) Hide() { b.root.Hide() }
