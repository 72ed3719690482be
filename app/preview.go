package app

import (
	"context"
	"image"
	"image/color"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
)

// previewFPS caps the preview's refresh rate: a 60 fps webcam would only
// cost CPU the recogniser needs.
const previewFPS = 30

// frameSource is the part of camera.Source the preview, the pipeline
// and the enrollment capture read.
type frameSource = checkin.Frames

// preview shows the camera picture mirrored, with the face box drawn over
// it. It never creates widgets per frame: one canvas.Image shows one
// *image.RGBA (front) that is refreshed in place, and one stroke-only
// rectangle is moved for the box.
//
// Threading: run converts each new frame into back on its own goroutine,
// then hands it to the UI thread, which copies it into front and
// refreshes the image. While a hand-over is queued run skips frames, so
// the UI queue never grows and back is never written while read.
type preview struct {
	img  *canvas.Image
	box  *canvas.Rectangle
	bg   *canvas.Rectangle
	root *fyne.Container

	front *image.RGBA // displayed; UI thread only
	back  *image.RGBA // written by run while queued is false

	queued    atomic.Bool
	shown     atomic.Uint64 // frames presented, for FPS measurements
	frameSize image.Point   // size of the frame in front; UI thread only
	faceBox   image.Rectangle
}

func newPreview() *preview {
	p := &preview{front: image.NewRGBA(image.Rect(0, 0, 640, 480))}
	p.img = canvas.NewImageFromImage(p.front)
	p.img.FillMode = canvas.ImageFillContain
	p.img.ScaleMode = canvas.ImageScaleFastest
	p.box = canvas.NewRectangle(color.Transparent)
	p.box.StrokeWidth = 6
	p.box.CornerRadius = 12
	p.box.Hide()
	p.bg = canvas.NewRectangle(colPreview)
	p.root = container.New(&previewLayout{p: p}, p.bg, p.img, p.box)
	return p
}

// run shows frames of src until ctx ends or the source fails for good.
// It is owned by the kiosk's camera session (which cancels ctx); do hands
// work to the UI thread (fyne.Do).
func (p *preview) run(ctx context.Context, src frameSource, do func(func())) {
	f := camera.NewFrame()
	defer f.Close()
	var seq uint64
	gap := time.Second / previewFPS
	timer := time.NewTimer(0)
	defer timer.Stop()
	last := time.Time{}
	for {
		s, err := src.Wait(ctx, seq)
		if err != nil {
			return
		}
		seq = s
		if d := gap - time.Since(last); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		if p.queued.Load() {
			continue // the UI has not drawn the previous frame yet
		}
		if s, ok := src.Latest(f); ok {
			seq = s
		} else {
			continue
		}
		back, err := f.ToRGBA(p.back, true)
		if err != nil {
			continue
		}
		p.back = back
		last = time.Now()
		p.queued.Store(true)
		do(p.present)
	}
}

// present copies the converted frame into the displayed image (UI thread).
func (p *preview) present() {
	b := p.back
	if b == nil {
		p.queued.Store(false)
		return
	}
	if p.front.Rect != b.Rect {
		p.front = image.NewRGBA(b.Rect)
		p.img.Image = p.front
	}
	copy(p.front.Pix, b.Pix)
	size := b.Rect.Size()
	p.queued.Store(false)
	p.img.Refresh()
	p.shown.Add(1)
	if size != p.frameSize {
		p.frameSize = size
		p.placeBox()
	}
}

// setBox draws the face box of a frame of frameSize (unmirrored
// coordinates) in colour c; an empty box hides it (UI thread).
func (p *preview) setBox(box image.Rectangle, frameSize image.Point, c color.Color) {
	if box.Empty() || frameSize.X == 0 {
		p.faceBox = image.Rectangle{}
		if p.box.Visible() {
			p.box.Hide()
		}
		return
	}
	if frameSize != p.frameSize && p.frameSize.X == 0 {
		p.frameSize = frameSize
	}
	p.faceBox = box
	if p.box.StrokeColor != c {
		p.box.StrokeColor = c
		p.box.Refresh()
	}
	p.placeBox()
	if !p.box.Visible() {
		p.box.Show()
	}
}

// placeBox maps the face box into the image widget: the picture is
// scaled to fit (contain) and mirrored, so x is flipped.
func (p *preview) placeBox() {
	fs := p.frameSize
	if p.faceBox.Empty() || fs.X == 0 || fs.Y == 0 {
		return
	}
	area := p.img.Size()
	scale := min(area.Width/float32(fs.X), area.Height/float32(fs.Y))
	offX := p.img.Position().X + (area.Width-scale*float32(fs.X))/2
	offY := p.img.Position().Y + (area.Height-scale*float32(fs.Y))/2
	b := p.faceBox
	x0 := float32(fs.X - b.Max.X) // mirrored
	p.box.Move(fyne.NewPos(offX+x0*scale, offY+float32(b.Min.Y)*scale))
	p.box.Resize(fyne.NewSize(float32(b.Dx())*scale, float32(b.Dy())*scale))
}

// previewLayout fills the area with the picture and keeps the box on it.
type previewLayout struct{ p *preview }

func (l *previewLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	l.p.bg.Resize(size)
	l.p.bg.Move(fyne.NewPos(0, 0))
	l.p.img.Resize(size)
	l.p.img.Move(fyne.NewPos(0, 0))
	l.p.placeBox()
}

func (l *previewLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(320, 240) }
