package server

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func testImage(t testing.TB, w, h int, asPNG bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG whose header claims w x h but has no pixel data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	raw := b.Bytes()
	// IHDR width/height at bytes 16..24; the CRC is then wrong, so fix it.
	out := append([]byte(nil), raw...)
	put := func(o int, v uint32) {
		out[o], out[o+1], out[o+2], out[o+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	crc := crc32IEEE(out[12:29])
	put(29, crc)
	return out
}

func TestValidateImage(t *testing.T) {
	jpg := testImage(t, 200, 100, false)
	pngb := testImage(t, 200, 100, true)
	for _, tc := range []struct {
		name   string
		data   []byte
		code   string
		format string
	}{
		{"jpeg", jpg, "", "jpeg"},
		{"png", pngb, "", "png"},
		{"empty", nil, "empty_image", ""},
		{"text", []byte("hello, I am a .jpg"), "unsupported_format", ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "unsupported_format", ""},
		{"pgm", []byte("P5\n2 2\n255\n\x00\x00\x00\x00"), "unsupported_format", ""},
		{"truncated jpeg", jpg[:len(jpg)/2], "undecodable_image", ""},
		{"truncated png", pngb[:len(pngb)-30], "undecodable_image", ""},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF, 0xE0}, "undecodable_image", ""},
		{"too small", testImage(t, 20, 20, true), "image_too_small", ""},
		{"bomb header", pngHeader(100000, 100000), "image_too_large", ""},
		{"too many bytes", append(jpg, make([]byte, 1000)...), "image_too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := int64(len(jpg) + 500)
			if tc.name != "too many bytes" {
				limit = 1 << 20
			}
			info, err := ValidateImage(tc.data, limit)
			var ie *ImageError
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tc.code != "" && (!errors.As(err, &ie) || ie.Code != tc.code):
				t.Fatalf("err %v, want %s", err, tc.code)
			case tc.code == "" && info.Format != tc.format:
				t.Errorf("format %q, want %q", info.Format, tc.format)
			case tc.code != "" && (ie.Status < 400 || ie.Status > 499):
				t.Errorf("status %d is not 4xx", ie.Status)
			}
		})
	}
}

// FuzzValidateImage: any bytes are accepted as a decodable JPEG/PNG within
// limits, or refused with a 4xx ImageError; never a panic.
func FuzzValidateImage(f *testing.F) {
	f.Add(testImage(f, 80, 80, false))
	f.Add(testImage(f, 80, 80, true))
	f.Add([]byte("not an image"))
	f.Add(pngHeader(70000, 70000))
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ValidateImage(data, 1<<20)
		if err != nil {
			var ie *ImageError
			if !errors.As(err, &ie) || ie.Status < 400 || ie.Status > 499 || ie.Code == "" {
				t.Fatalf("error is not a 4xx ImageError: %v", err)
			}
			return
		}
		if info.Format != "jpeg" && info.Format != "png" {
			t.Fatalf("accepted format %q", info.Format)
		}
		if info.Width < MinImageSide || info.Height < MinImageSide || info.Width*info.Height > MaxImagePixels {
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		}
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("accepted an undecodable image: %v", err)
		}
	})
}
