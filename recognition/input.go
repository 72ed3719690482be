package recognition

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // JPEG headers and CMYK JPEGs, sniffed by content
	_ "image/png"  // PNG input, decoded by content
	"math"

	"gocv.io/x/gocv"
)

// frame is an image made ready for go-face: 3-channel JPEG bytes at the
// detection scale, plus the luma plane the quality report is computed on.
// Every pixel operation on the way (decode, resize, pad, colour
// conversion, JPEG encode) runs in C (OpenCV, libjpeg-turbo): none of it
// is Go code that the race detector slows tenfold in tests.
type frame struct {
	jpeg  []byte
	gray  *image.Gray // at detection scale
	scale float64     // detection pixels per input pixel
	pad   int         // border added around the rescaled image, detection pixels
	size  image.Point // input size in pixels
}

// toInput maps a point in detection space back to input pixels.
func (f *frame) toInput(p image.Point) image.Point {
	u := func(v int) int { return int(math.Round(float64(v-f.pad) / f.scale)) }
	return image.Pt(u(p.X), u(p.Y))
}

// decodeBytes checks and decodes JPEG, PNG or PGM bytes (sniffed by
// content, never by file name) and prepares them for detection. An RGB JPEG
// that needs no rescaling is handed to go-face as it is: no re-encoding
// loss, and go-face's loader refuses a truncated file.
func (e *Engine) decodeBytes(data []byte) (*frame, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not a JPEG, PNG or PGM image (%v)", ErrBadImage, err)
	}
	if err := e.checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	scale := e.detectScale(cfg.Width, cfg.Height)
	if format == "jpeg" && cfg.ColorModel == color.YCbCrModel && scale == 1 {
		// go-face decodes this JPEG itself; only the luma for the quality
		// report is decoded here, by libjpeg-turbo (0.3 ms at 640x480
		// against 3 ms for image/jpeg: the difference is 9 % of a frame).
		gray, err := grayOfJPEG(data)
		if err != nil {
			return nil, err
		}
		return &frame{jpeg: data, gray: gray, scale: 1, size: image.Pt(cfg.Width, cfg.Height)}, nil
	}
	var m gocv.Mat
	if format == "jpeg" && cfg.ColorModel != color.CMYKModel {
		// A gray or rescaled JPEG: libjpeg-turbo through OpenCV, 10x faster
		// than image/jpeg on a 12 MP photo (and 100x under -race).
		m, err = gocv.IMDecode(data, gocv.IMReadColor)
		if err != nil || m.Empty() {
			m.Close()
			return nil, fmt.Errorf("%w: corrupt jpeg", ErrBadImage)
		}
	} else {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: corrupt or truncated %s (%v)", ErrBadImage, format, err)
		}
		if m, err = matOfImage(img); err != nil {
			return nil, err
		}
	}
	defer m.Close()
	return e.prepareMat(m, scale)
}

// matOfImage copies a decoded image into a gray or BGR Mat.
func matOfImage(img image.Image) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch im := img.(type) {
	case *image.Gray:
		return matOfPix(im.Pix[im.PixOffset(b.Min.X, b.Min.Y):], w, h, im.Stride, 1, -1)
	case *image.RGBA:
		return matOfPix(im.Pix[im.PixOffset(b.Min.X, b.Min.Y):], w, h, im.Stride, 4, gocv.ColorRGBAToBGR)
	case *image.NRGBA:
		return matOfPix(im.Pix[im.PixOffset(b.Min.X, b.Min.Y):], w, h, im.Stride, 4, gocv.ColorRGBAToBGR)
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	return matOfPix(rgba.Pix, w, h, rgba.Stride, 4, gocv.ColorRGBAToBGR)
}

// matOfPix copies rows of Go pixels into a new C-owned Mat, converted by
// code when it is not -1.
func matOfPix(pix []byte, w, h, stride, channels int, code gocv.ColorConversionCode) (gocv.Mat, error) {
	typ := gocv.MatTypeCV8UC1
	if channels == 4 {
		typ = gocv.MatTypeCV8UC4
	}
	m := gocv.NewMatWithSize(h, w, typ)
	dst, err := m.DataPtrUint8()
	if err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("image buffer: %w", err)
	}
	row := w * channels
	for y := 0; y < h; y++ {
		copy(dst[y*row:(y+1)*row], pix[y*stride:y*stride+row])
	}
	if code == -1 {
		return m, nil
	}
	defer m.Close()
	out := gocv.NewMat()
	gocv.CvtColor(m, &out, code)
	return out, nil
}

// checkSize refuses images too small to hold a face or so large that
// decoding them would exhaust a kiosk's memory.
func (e *Engine) checkSize(w, h int) error {
	if w < minInputSide || h < minInputSide {
		return fmt.Errorf("%w: %dx%d, need at least %dx%d", ErrImageTooSmall, w, h, minInputSide, minInputSide)
	}
	if int64(w)*int64(h) > int64(e.opts.MaxInputPixels) {
		return fmt.Errorf("%w: %dx%d is over %d megapixels", ErrImageTooLarge, w, h, e.opts.MaxInputPixels/1_000_000)
	}
	return nil
}

// minInputSide is the smallest image side accepted: below it no face can be
// found, however far it is upscaled.
const minInputSide = 32

// detectScale returns the factor applied before detection: an integer
// upscale for small images (dlib's HOG window misses faces under ~80 px) and
// a downscale for very large ones (detection time grows with the pixels).
func (e *Engine) detectScale(w, h int) float64 {
	short, long := min(w, h), max(w, h)
	if short < e.opts.MinDetectSide {
		return math.Ceil(float64(e.opts.MinDetectSide) / float64(short))
	}
	if e.opts.MaxDetectSide > 0 && long > e.opts.MaxDetectSide {
		return float64(e.opts.MaxDetectSide) / float64(long)
	}
	return 1
}

// smallPadFraction: an upscaled small image is usually a tight face crop
// (an ID photo, the ORL set) and dlib's HOG window needs context around the
// face; a mid-gray border of this fraction of the longer side restores it
// (measured on ORL's hardest images: 1/10 found without it, 9/10 with it).
const smallPadFraction = 0.15

// prepareMat rescales a gray or BGR Mat (padding it when upscaling) and
// encodes it as the RGB JPEG go-face reads. src stays the caller's.
func (e *Engine) prepareMat(src gocv.Mat, scale float64) (*frame, error) {
	w, h := src.Cols(), src.Rows()
	f := &frame{scale: scale, size: image.Pt(w, h)}
	bgr := src
	if src.Channels() == 1 {
		color3 := gocv.NewMat()
		defer color3.Close()
		gocv.CvtColor(src, &color3, gocv.ColorGrayToBGR)
		bgr = color3
	}
	if scale != 1 {
		dw, dh := int(math.Round(float64(w)*scale)), int(math.Round(float64(h)*scale))
		interp := gocv.InterpolationCubic
		if scale < 1 {
			interp = gocv.InterpolationArea // no aliasing when shrinking
		}
		scaled := gocv.NewMat()
		defer scaled.Close()
		gocv.Resize(bgr, &scaled, image.Pt(dw, dh), 0, 0, interp)
		bgr = scaled
		if scale > 1 {
			f.pad = int(math.Round(smallPadFraction * float64(max(dw, dh))))
			padded := gocv.NewMat()
			defer padded.Close()
			gocv.CopyMakeBorder(scaled, &padded, f.pad, f.pad, f.pad, f.pad, gocv.BorderConstant, color.RGBA{128, 128, 128, 0})
			bgr = padded
		}
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, bgr, []int{gocv.IMWriteJpegQuality, 95})
	if err != nil {
		return nil, fmt.Errorf("encode detection jpeg: %w", err)
	}
	defer buf.Close()
	f.jpeg = append([]byte(nil), buf.GetBytes()...)
	grayMat := gocv.NewMat()
	defer grayMat.Close()
	gocv.CvtColor(bgr, &grayMat, gocv.ColorBGRToGray)
	f.gray = &image.Gray{Pix: grayMat.ToBytes(), Stride: grayMat.Cols(), Rect: image.Rect(0, 0, grayMat.Cols(), grayMat.Rows())}
	return f, nil
}

// errNoImage is returned for a nil image.Image input.
var errNoImage = errors.New("nil image")
