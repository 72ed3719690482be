package camera

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"path/filepath"
	"testing"
	"time"
)

// splitFrame returns a Frame holding a 64x48 picture, red on the left and
// blue on the right, read through a real folder source.
func splitFrame(t *testing.T) (*Source, *Frame) {
	t.Helper()
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "split.png"), 64, 48, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255})
	opts := testOptions()
	opts.Loop = true
	opts.FPS = 5
	s := openT(t, dir, opts)
	waitFrame(t, s, 0, 10*time.Second)
	f := NewFrame()
	t.Cleanup(func() { f.Close() })
	if _, ok := s.Latest(f); !ok {
		t.Fatal("no frame")
	}
	return s, f
}

func TestToRGBAKeepsColoursAndMirrors(t *testing.T) {
	_, f := splitFrame(t)
	red := color.RGBA{255, 0, 0, 255}
	blue := color.RGBA{0, 0, 255, 255}
	cases := []struct {
		mirror      bool
		left, right color.RGBA
	}{{false, red, blue}, {true, blue, red}}
	var img *image.RGBA
	for _, c := range cases {
		prev := img
		var err error
		img, err = f.ToRGBA(img, c.mirror)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && img != prev {
			t.Error("ToRGBA allocated a new image although the buffer had the right size")
		}
		if img.Bounds() != image.Rect(0, 0, 64, 48) {
			t.Fatalf("bounds %v", img.Bounds())
		}
		if got := img.RGBAAt(2, 24); got != c.left {
			t.Errorf("mirror=%v: left pixel %v, want %v", c.mirror, got, c.left)
		}
		if got := img.RGBAAt(61, 24); got != c.right {
			t.Errorf("mirror=%v: right pixel %v, want %v", c.mirror, got, c.right)
		}
	}

	// A sub-image (stride wider than the frame) is filled row by row.
	big := image.NewRGBA(image.Rect(0, 0, 100, 60))
	sub := big.SubImage(image.Rect(10, 5, 74, 53)).(*image.RGBA)
	out, err := f.ToRGBA(sub, false)
	if err != nil || out != sub {
		t.Fatalf("ToRGBA into a sub-image: %v, reused=%v", err, out == sub)
	}
	if got := big.RGBAAt(12, 20); got != red {
		t.Errorf("sub-image pixel %v, want red", got)
	}
	if got := big.RGBAAt(5, 20); got != (color.RGBA{}) {
		t.Errorf("ToRGBA wrote outside the sub-image: %v", got)
	}
}

func TestEncodeJPEGDecodesBack(t *testing.T) {
	_, f := splitFrame(t)
	buf := make([]byte, 0, 64<<10)
	out, err := f.EncodeJPEG(buf, 90)
	if err != nil {
		t.Fatal(err)
	}
	if &out[0] != &buf[:1][0] {
		t.Error("EncodeJPEG did not reuse a large enough buffer")
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is no JPEG: %v", err)
	}
	if img.Bounds().Size() != image.Pt(64, 48) {
		t.Fatalf("decoded size %v", img.Bounds().Size())
	}
	r, _, b, _ := img.At(5, 24).RGBA()
	if r>>8 < 200 || b>>8 > 60 {
		t.Errorf("left pixel not red after a round trip: r=%d b=%d", r>>8, b>>8)
	}
	for _, q := range []int{0, 101} {
		if _, err := f.EncodeJPEG(nil, q); err == nil {
			t.Errorf("quality %d accepted", q)
		}
	}
}

func TestEmptyFrameConversionsFail(t *testing.T) {
	var f Frame // the zero value is usable
	defer f.Close()
	if _, err := f.ToRGBA(nil, false); !errors.Is(err, ErrEmptyFrame) {
		t.Errorf("ToRGBA on an empty frame = %v", err)
	}
	if _, err := f.EncodeJPEG(nil, 80); !errors.Is(err, ErrEmptyFrame) {
		t.Errorf("EncodeJPEG on an empty frame = %v", err)
	}
	if !f.Empty() || f.Size() != (image.Point{}) {
		t.Error("zero frame not empty")
	}
}

// The preview loop (poll Latest, convert into one buffer) must not
// allocate per frame: at 30 fps garbage shows up as GC stalls.
func TestPreviewLoopDoesNotAllocate(t *testing.T) {
	v := makeVideos(t)
	opts := testOptions()
	opts.Loop = true
	opts.Unpaced = true
	s := openT(t, v.v640, opts)
	waitFrame(t, s, 0, 20*time.Second)
	f := NewFrame()
	defer f.Close()
	s.Latest(f)
	img, _ := f.ToRGBA(nil, true)
	// The unpaced decoder outruns this loop, so nearly every Latest copies
	// a new frame.
	first := f.Seq
	allocs := testing.AllocsPerRun(200, func() {
		s.Latest(f)
		img, _ = f.ToRGBA(img, true)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per preview frame, want 0", allocs)
	}
	if f.Seq == first {
		t.Error("the loop never saw a new frame")
	}
}
