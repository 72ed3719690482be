package app

import (
	"image"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
)

// Sizes of the check-in screen (1280x800, read from 1.5 m).
const (
	cardTime  = 3 * time.Second // how long the result card stays up
	cardWidth = 460             // the right-hand panel
	guideSize = 42              // the guidance line
)

// checkinScreen is what an employee sees: the live preview with the face
// box, one big line of guidance, the result card, and the status bar.
// Every method runs on the UI thread.
type checkinScreen struct {
	k        *window
	root     *fyne.Container
	status   *statusBar
	stage    *fyne.Container // the preview, or the no-camera panel
	noCam    *cameraPanel
	guide    *canvas.Text
	sub      *canvas.Text
	progress *thinBar
	side     *fyne.Container // welcome or card
	welcome  *fyne.Container
	card     *resultCard
	fallback *widget.Button // in the welcome panel; the card has its own
	warn     *widget.Label
	form     *fallbackForm

	last      checkin.State
	cardKind  checkin.StateKind // of the card shown last
	cardKey   string
	cardUntil time.Time
}

func newCheckinScreen(k *window) *checkinScreen {
	c := &checkinScreen{k: k, last: checkin.State{Kind: checkin.StateIdle}}
	c.status = newStatusBar(func() { k.showOperator("") })
	c.guide = bigText(tr("state.idle"), guideSize, colWhite, true)
	c.sub = bigText("", 24, colWhite, false)
	c.progress = newThinBar()
	c.progress.Hide()
	c.card = newResultCard(c.openForm)
	c.fallback = widget.NewButton(tr("fallback.open"), c.openForm)
	c.fallback.Importance = widget.HighImportance
	c.fallback.Hide()
	c.warn = wrapped("")
	c.warn.Importance = widget.DangerImportance
	c.warn.Hide()
	welcome := bigText(tr("kiosk.welcome"), 40, colWhite, true)
	fitText(welcome, cardWidth-20, 40)
	c.welcome = container.NewVBox(
		layout.NewSpacer(),
		welcome,
		wrappedCentered(tr("kiosk.look_at_camera")),
		layout.NewSpacer(),
		container.NewCenter(c.fallback),
		c.warn,
	)
	c.side = container.New(fixedWidth(cardWidth), c.welcome, c.card.root)
	c.card.root.Hide()
	c.noCam = newCameraPanel(k, true)
	c.stage = container.NewStack()
	guideBar := container.NewStack(canvas.NewRectangle(colCardBG),
		container.NewVBox(c.guide, c.sub, c.progress.root))
	main := container.NewBorder(c.status.root, guideBar, nil, c.side, c.stage)
	c.form = newFallbackForm(k, c)
	c.root = container.NewStack(canvas.NewRectangle(colPreview), main, c.form.root)
	c.status.update(k.status, k.pending, k.now().In(k.location()))
	c.cameraChanged()
	return c
}

// wrappedCentered is a centred, word-wrapped label.
func wrappedCentered(s string) *widget.Label {
	l := wrapped(s)
	l.Alignment = fyne.TextAlignCenter
	return l
}

// sizedBox is an invisible rectangle that gives a container a minimum size.
func sizedBox(w, h float32) *canvas.Rectangle {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// attach puts the shared preview widget (which the enrollment screens
// borrow) back into this screen.
func (c *checkinScreen) attach() {
	c.stage.Objects = nil
	c.cameraChanged()
}

// detach takes the preview out before the screen is thrown away.
func (c *checkinScreen) detach() {
	c.stage.Objects = nil
}

// cameraChanged shows the preview while the camera is live, else the
// no-camera panel with the source chooser.
func (c *checkinScreen) cameraChanged() {
	want := c.k.preview.root
	if !c.k.cam.live() {
		c.noCam.update()
		want = c.noCam.root
	}
	if len(c.stage.Objects) != 1 || c.stage.Objects[0] != want {
		c.stage.Objects = []fyne.CanvasObject{want}
		c.stage.Refresh()
	}
	if !c.cardVisible() {
		c.guideFor(c.last)
	}
}

// pipelineFailed says why check-in is not running (bad schedule file,
// source ended).
func (c *checkinScreen) pipelineFailed(err error) {
	c.warn.SetText(trf("kiosk.pipeline_failed", map[string]any{"Error": err.Error()}))
	c.warn.Show()
}

// show draws one pipeline state. While the result card is up the
// guidance line keeps saying what the card says, so the outcome stays
// readable for its 3 s even if the pipeline already looks at the next
// frame.
func (c *checkinScreen) show(st checkin.State, photo image.Image) {
	c.last = st
	col := stateColour(st.Kind)
	c.k.preview.setBox(st.Box, st.FrameSize, col)
	switch st.Kind {
	case checkin.StateIdentifying, checkin.StateChallenge:
		c.progress.set(st.Progress, col)
		c.progress.Show()
	default:
		c.progress.Hide()
	}
	switch st.Kind {
	case checkin.StateFallback:
		c.fallback.Show()
	case checkin.StateIdle:
		c.fallback.Hide()
		c.cardKey = ""
	}
	if st.Kind.Terminal() {
		if key := cardKey(st); key != c.cardKey {
			c.cardKey = key
			c.showCard(st, photo)
		}
	}
	if c.cardVisible() {
		return
	}
	c.guideFor(st)
}

// guideFor writes the guidance line for st.
func (c *checkinScreen) guideFor(st checkin.State) {
	text, sub := guidance(st)
	textCol := color.Color(colWhite)
	if st.Kind != checkin.StateIdle {
		textCol = stateColour(st.Kind)
	}
	switch {
	case c.k.cam.src != nil && c.k.cam.status.State == camera.StateConnecting:
		text, textCol, sub = tr("camera.connecting"), colWarn, ""
	case !c.k.cam.live():
		text, textCol, sub = tr("camera.none"), colBad, ""
	}
	setText(c.guide, text, textCol)
	fitText(c.guide, 1200, guideSize)
	setText(c.sub, sub, colWhite)
}

// showCard puts up the result card for cardTime and plays its sound.
func (c *checkinScreen) showCard(st checkin.State, photo image.Image) {
	c.card.set(st, photo)
	c.cardKind = st.Kind
	c.welcome.Hide()
	c.card.root.Show()
	c.guideFor(st)
	c.cardUntil = c.k.now().Add(cardTime)
	if st.Kind == checkin.StateRecorded || st.Kind == checkin.StateAlreadyRecorded {
		c.k.sound.Play(kiosk.SoundSuccess)
	} else {
		c.k.sound.Play(kiosk.SoundFailure)
	}
}

// cardVisible reports whether the result card is up.
func (c *checkinScreen) cardVisible() bool { return c.card.root.Visible() }

// tick updates the clock and takes the card down when its time is up.
func (c *checkinScreen) tick(now time.Time) {
	c.status.tick(now.In(c.k.location()))
	if c.card.root.Visible() && !now.Before(c.cardUntil) {
		c.card.root.Hide()
		c.welcome.Show()
		c.guideFor(c.last)
	}
}

// cardKey identifies one decision, so a state the pipeline repeats while
// the person stays does not bring the card back or replay the sound.
func cardKey(st checkin.State) string {
	var b strings.Builder
	b.WriteString(string(st.Kind))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(st.Attempts))
	if st.Person != nil {
		b.WriteString(st.Person.NIP)
	}
	if st.Result != nil {
		b.WriteString(st.Result.EventID)
		b.WriteString(st.Result.Time.String())
	}
	return b.String()
}

// stateColour is the colour of a state's face box and text.
func stateColour(k checkin.StateKind) color.Color {
	switch k {
	case checkin.StateRecorded, checkin.StateAlreadyRecorded:
		return colGood
	case checkin.StateGuiding, checkin.StateOutsideHours:
		return colWarn
	case checkin.StateIdentifying, checkin.StateChallenge:
		return colBusy
	case checkin.StateIdle:
		return colMuted
	}
	return colBad
}

// guidance is the big line and the line under it for a state.
func guidance(st checkin.State) (text, sub string) {
	switch st.Kind {
	case checkin.StateGuiding:
		return tr("guide." + string(st.Guidance)), ""
	case checkin.StateChallenge:
		if st.Person != nil {
			sub = trf("challenge.hello", map[string]any{"Name": st.Person.Name})
		}
		return tr("challenge." + string(st.Challenge)), sub
	case checkin.StateRecorded, checkin.StateAlreadyRecorded, checkin.StateOutsideHours:
		if st.Person != nil {
			sub = st.Person.Name
		}
		return tr("state." + string(st.Kind)), sub
	case checkin.StateUnknown, checkin.StateLivenessFailed, checkin.StateFallback, checkin.StateError:
		return tr("state." + string(st.Kind)), reasonText(st.Reason)
	}
	return tr("state." + string(st.Kind)), ""
}

// reasonText translates a state's reason code ("" stays empty).
func reasonText(r string) string {
	if r == "" {
		return ""
	}
	return tr("reason." + r)
}
