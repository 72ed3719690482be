package app

import (
	"image"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/checkin"
)

// resultCard shows a decided attempt for cardTime: who (photo from
// enrollment, name, NIP, unit), what ("Masuk"/"Pulang"), when, and on time
// or late by N minutes. Built once; set changes its texts.
type resultCard struct {
	root     *fyne.Container
	band     *canvas.Rectangle
	photo    *canvas.Image
	noPhoto  *canvas.Image
	title    *canvas.Text
	name     *canvas.Text
	nip      *canvas.Text
	unit     *canvas.Text
	when     *canvas.Text
	verdict  *canvas.Text
	note     *canvas.Text
	fallback *widget.Button // "use NIP & PIN" on a fallback card
}

// Text sizes of the card (the largest; long texts shrink to fit).
const (
	cardTitleSize   = 48
	cardNameSize    = 32
	cardWhenSize    = 38
	cardVerdictSize = 26
)

func newResultCard(openFallback func()) *resultCard {
	r := &resultCard{
		band:    canvas.NewRectangle(colGood),
		photo:   canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1))),
		noPhoto: canvas.NewImageFromResource(theme.AccountIcon()),
		title:   bigText("", cardTitleSize, colWhite, true),
		name:    bigText("", cardNameSize, colWhite, true),
		nip:     bigText("", 22, colWhite, false),
		unit:    bigText("", 20, colWhite, false),
		when:    bigText("", cardWhenSize, colWhite, true),
		verdict: bigText("", cardVerdictSize, colGood, true),
		note:    bigText("", 18, colWarn, false),
	}
	r.fallback = widget.NewButton(tr("fallback.open"), openFallback)
	r.fallback.Importance = widget.HighImportance
	r.fallback.Hide()
	r.photo.FillMode = canvas.ImageFillContain
	r.photo.SetMinSize(fyne.NewSize(180, 210))
	r.noPhoto.FillMode = canvas.ImageFillContain
	r.noPhoto.SetMinSize(fyne.NewSize(180, 210))
	r.band.SetMinSize(fyne.NewSize(0, 64))
	header := container.NewStack(r.band, container.NewCenter(r.title))
	body := container.NewVBox(
		container.NewCenter(container.NewStack(r.noPhoto, r.photo)),
		r.name, r.nip, r.unit,
		layout.NewSpacer(),
		r.when, r.verdict, r.note,
		container.NewCenter(r.fallback),
	)
	r.root = container.NewStack(canvas.NewRectangle(colCardBG),
		container.NewBorder(header, nil, nil, nil, container.NewPadded(body)))
	return r
}

// set fills the card for st (UI thread).
func (r *resultCard) set(st checkin.State, photo image.Image) {
	col := stateColour(st.Kind)
	r.band.FillColor = col
	r.band.Refresh()
	r.title.Text = cardTitle(st)
	if p := st.Person; p != nil {
		r.name.Text = p.Name
		r.nip.Text = trf("card.nip", map[string]any{"NIP": p.NIP})
		r.unit.Text = p.Unit
	} else {
		r.name.Text, r.nip.Text, r.unit.Text = "", "", ""
	}
	if photo != nil && st.Person != nil {
		r.photo.Image = photo
		r.photo.Show()
		r.noPhoto.Hide()
	} else {
		r.photo.Hide()
		r.noPhoto.Show()
	}
	r.when.Text, r.verdict.Text, r.note.Text = "", "", ""
	r.verdict.Color = colGood
	res := st.Result
	switch st.Kind {
	case checkin.StateRecorded:
		r.when.Text = clockText(res.Time)
		r.verdict.Text, r.verdict.Color = punctuality(res)
		switch {
		case res.Trial:
			r.note.Text = tr("card.trial")
		case res.Kind == "manual":
			r.note.Text = tr("card.manual")
		}
	case checkin.StateAlreadyRecorded:
		r.when.Text = clockText(res.Previous)
		r.verdict.Text = tr("card.already")
	case checkin.StateOutsideHours:
		r.verdict.Text, r.verdict.Color = tr("card.outside_hours"), colWarn
	default:
		r.verdict.Text, r.verdict.Color = reasonText(st.Reason), colWhite
		r.note.Text = tr("card.hint." + string(st.Kind))
	}
	if st.Kind == checkin.StateFallback {
		r.fallback.Show()
	} else {
		r.fallback.Hide()
	}
	const w = cardWidth - 24
	fitText(r.title, w, cardTitleSize)
	fitText(r.name, w, cardNameSize)
	fitText(r.unit, w, 20)
	fitText(r.verdict, w, cardVerdictSize)
	fitText(r.note, w, 18)
	r.root.Refresh()
}

// cardTitle is the card's big word: "Masuk", "Pulang", or what went wrong.
func cardTitle(st checkin.State) string {
	if st.Kind == checkin.StateRecorded && st.Result != nil {
		return tr("card.kind." + st.Result.Kind)
	}
	return tr("state." + string(st.Kind))
}

// punctuality is "on time" or "late by N minutes (TL1)" for a check-in,
// "left N minutes early (PSW1)" for a check-out.
func punctuality(res *checkin.Result) (string, color.Color) {
	switch {
	case res.Kind == "manual":
		return tr("card.pending_approval"), colWarn
	case res.Late > 0:
		return trf("card.late", map[string]any{"N": strconv.Itoa(res.Late), "Tier": res.Tier}), colBad
	case res.Early > 0:
		return trf("card.early", map[string]any{"N": strconv.Itoa(res.Early), "Tier": res.Tier}), colBad
	}
	return tr("card.on_time"), colGood
}
