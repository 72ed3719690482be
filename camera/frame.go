package camera

import (
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"
)

// Frame is a caller-owned copy of one captured picture (BGR, as OpenCV
// decodes it) plus the scratch buffers its conversions reuse, so a
// consumer that keeps one Frame allocates nothing per frame in steady
// state. A Frame is used by one goroutine at a time; Close it to free its
// C memory. The zero value is ready to use.
type Frame struct {
	Seq  uint64    // sequence number from Source.Latest (1 = first frame)
	Time time.Time // when the reader got it

	ready bool
	bgr   gocv.Mat // the picture
	rgba  gocv.Mat // RGBA conversion scratch
	flip  gocv.Mat // mirrored rgba
	owner *Source  // which source Seq refers to
	par   []int    // JPEG encoder parameters, reused
}

// NewFrame returns an empty frame; the same as new(Frame), kept for
// readability at call sites that pair it with a deferred Close.
func NewFrame() *Frame { return new(Frame) }

func (f *Frame) init() {
	if !f.ready {
		f.bgr, f.flip, f.rgba = gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
		f.par = []int{gocv.IMWriteJpegQuality, 90}
		f.ready = true
	}
}

// Close frees the frame's C buffers; the Frame may be reused afterwards.
func (f *Frame) Close() error {
	if f.ready {
		f.bgr.Close()
		f.flip.Close()
		f.rgba.Close()
		f.ready = false
	}
	f.owner, f.Seq = nil, 0
	return nil
}

// Empty reports whether the frame holds no picture.
func (f *Frame) Empty() bool { return !f.ready || f.bgr.Empty() }

// Size returns the picture's width and height (0,0 when empty).
func (f *Frame) Size() image.Point {
	if f.Empty() {
		return image.Point{}
	}
	return image.Pt(f.bgr.Cols(), f.bgr.Rows())
}

// Mat returns the BGR picture for code that works in gocv directly. It is
// borrowed: valid until the next Latest into f or Close; do not Close it.
func (f *Frame) Mat() gocv.Mat {
	f.init()
	return f.bgr
}

// ToRGBA converts the frame for display into dst, reusing dst when it has
// the frame's size and allocating a new image otherwise (pass the returned
// image back next time: one buffer for the whole preview). mirror flips it
// left-right, which is what people expect from a camera facing them.
func (f *Frame) ToRGBA(dst *image.RGBA, mirror bool) (*image.RGBA, error) {
	if f.Empty() {
		return dst, ErrEmptyFrame
	}
	code := gocv.ColorBGRToRGBA
	switch f.bgr.Channels() {
	case 1:
		code = gocv.ColorGrayToBGRA // gray has no channel order
	case 4:
		code = gocv.ColorBGRAToRGBA
	}
	gocv.CvtColor(f.bgr, &f.rgba, code)
	out := f.rgba
	if mirror {
		// Flipping 4-byte pixels is several times faster than 3-byte ones.
		gocv.Flip(f.rgba, &f.flip, 1)
		out = f.flip
	}
	w, h := out.Cols(), out.Rows()
	if dst == nil || dst.Rect.Dx() != w || dst.Rect.Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	pix, err := out.DataPtrUint8()
	if err != nil {
		return dst, fmt.Errorf("frame %d to rgba: %w", f.Seq, err)
	}
	row := w * 4
	if dst.Stride == row && dst.Rect.Min == (image.Point{}) {
		copy(dst.Pix[:row*h], pix)
		return dst, nil
	}
	for y := 0; y < h; y++ {
		o := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+y)
		copy(dst.Pix[o:o+row], pix[y*row:(y+1)*row])
	}
	return dst, nil
}

// EncodeJPEG encodes the frame (not mirrored) at quality 1..100 into dst's
// storage, growing it when needed, and returns the bytes: what the face
// recogniser takes as input.
func (f *Frame) EncodeJPEG(dst []byte, quality int) ([]byte, error) {
	if f.Empty() {
		return dst[:0], ErrEmptyFrame
	}
	if quality < 1 || quality > 100 {
		return dst[:0], fmt.Errorf("jpeg quality %d: want 1..100", quality)
	}
	f.par[1] = quality
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, f.bgr, f.par)
	if err != nil {
		return dst[:0], fmt.Errorf("encode frame %d as jpeg: %w", f.Seq, err)
	}
	defer buf.Close()
	if buf.Len() == 0 {
		return dst[:0], fmt.Errorf("encode frame %d as jpeg: empty output", f.Seq)
	}
	return append(dst[:0], buf.GetBytes()...), nil
}

// Image returns the frame as a new *image.RGBA for code that wants an
// image.Image (not for a per-frame loop: use ToRGBA with a reused buffer).
func (f *Frame) Image() (image.Image, error) {
	return f.ToRGBA(nil, false)
}
