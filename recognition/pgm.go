package recognition

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// PGM (binary "P5") is registered with the image package because the ORL
// face set, and many industrial cameras' snapshot tools, write it.
func init() {
	image.RegisterFormat("pgm", "P5", decodePGM, decodePGMConfig)
}

type pgmHeader struct{ w, h, maxval int }

func readPGMHeader(r *bufio.Reader) (pgmHeader, error) {
	var h pgmHeader
	magic := make([]byte, 2)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "P5" {
		return h, errors.New("pgm: not a binary PGM (P5) file")
	}
	vals := [3]*int{&h.w, &h.h, &h.maxval}
	for i := range vals {
		n, err := readPGMInt(r)
		if err != nil {
			return h, fmt.Errorf("pgm: header: %w", err)
		}
		*vals[i] = n
	}
	if h.w <= 0 || h.h <= 0 || h.maxval <= 0 || h.maxval > 255 {
		return h, fmt.Errorf("pgm: unsupported header %dx%d maxval %d", h.w, h.h, h.maxval)
	}
	return h, nil
}

// readPGMInt reads one decimal header field, skipping whitespace and
// comments, and consumes the single whitespace byte that ends it.
func readPGMInt(r *bufio.Reader) (int, error) {
	n, digits := 0, 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch {
		case b == '#' && digits == 0:
			if _, err := r.ReadString('\n'); err != nil {
				return 0, err
			}
		case b >= '0' && b <= '9':
			if n > 1<<24 {
				return 0, errors.New("number too large")
			}
			n = n*10 + int(b-'0')
			digits++
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			if digits > 0 {
				return n, nil
			}
		default:
			return 0, fmt.Errorf("unexpected byte %q", b)
		}
	}
}

func decodePGMConfig(r io.Reader) (image.Config, error) {
	h, err := readPGMHeader(bufio.NewReader(r))
	if err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: color.GrayModel, Width: h.w, Height: h.h}, nil
}

func decodePGM(r io.Reader) (image.Image, error) {
	br := bufio.NewReader(r)
	h, err := readPGMHeader(br)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, h.w, h.h))
	if _, err := io.ReadFull(br, img.Pix); err != nil {
		return nil, fmt.Errorf("pgm: pixel data: %w", err)
	}
	if h.maxval != 255 {
		for i, v := range img.Pix {
			img.Pix[i] = uint8(int(v) * 255 / h.maxval)
		}
	}
	return img, nil
}
