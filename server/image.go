package server

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // JPEG decoder for validation
	_ "image/png"  // PNG decoder for validation
	"net/http"
)

// Image limits of the photo API. A face photo needs far less than 12 MP
// (the detector works on ~1 MP); the byte cap stops a small file that
// decodes to a huge 16-bit image (8 bytes a pixel): both are checked from
// the header, before any pixel is decoded.
const (
	MinImageSide    = 64
	MaxImagePixels  = 12_000_000
	MaxDecodedBytes = MaxImagePixels * 4
)

// ImageError is a photo the API refuses, with the HTTP status and machine
// code the client sees.
type ImageError struct {
	Status int
	Code   string
	Msg    string
}

// Error returns the code and message.
func (e *ImageError) Error() string { return e.Code + ": " + e.Msg }

// ImageInfo is what validation learned about an accepted image.
type ImageInfo struct {
	Format        string // "jpeg" or "png", from the content, never the name
	Width, Height int
}

// ValidateImage checks an uploaded photo by content and decodes it once
// (see DecodeImage), discarding the pixels.
func ValidateImage(data []byte, maxBytes int64) (ImageInfo, error) {
	_, info, err := DecodeImage(data, maxBytes)
	return info, err
}

// DecodeImage checks an uploaded photo by content: size, JPEG or PNG
// magic bytes (a PNG named .jpg is a PNG; a text file named .jpg is
// refused), dimensions and decoded size from the header before decoding
// (no decompression bombs, no 16-bit blow-ups), then decodes it, once
// (truncated or corrupt files are refused). It is pure Go, so it runs
// before the face engine ever sees the bytes; the engine gets the pixels.
func DecodeImage(data []byte, maxBytes int64) (image.Image, ImageInfo, error) {
	info, err := checkImageHeader(data, maxBytes)
	if err != nil {
		return nil, info, err
	}
	img, err := decodePixels(data, info)
	return img, info, err
}

// decodePixels decodes an image checkImageHeader accepted.
func decodePixels(data []byte, info ImageInfo) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &ImageError{http.StatusUnprocessableEntity, "undecodable_image", fmt.Sprintf("the %s image is corrupt or truncated: %v", info.Format, err)}
	}
	return img, nil
}

func checkImageHeader(data []byte, maxBytes int64) (ImageInfo, error) {
	var info ImageInfo
	switch {
	case len(data) == 0:
		return info, &ImageError{http.StatusBadRequest, "empty_image", "the photo is empty"}
	case int64(len(data)) > maxBytes:
		return info, &ImageError{http.StatusRequestEntityTooLarge, "image_too_large", fmt.Sprintf("the photo is larger than %d bytes", maxBytes)}
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		info.Format = "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		info.Format = "png"
	default:
		return info, &ImageError{http.StatusUnsupportedMediaType, "unsupported_format",
			fmt.Sprintf("the photo is not JPEG or PNG (content looks like %s)", http.DetectContentType(data))}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != info.Format {
		return info, &ImageError{http.StatusUnprocessableEntity, "undecodable_image", fmt.Sprintf("the %s header cannot be read: %v", info.Format, err)}
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	pixels := int64(cfg.Width) * int64(cfg.Height)
	bpp := bytesPerPixel(cfg.ColorModel)
	switch {
	case cfg.Width < MinImageSide || cfg.Height < MinImageSide:
		return info, &ImageError{http.StatusUnprocessableEntity, "image_too_small", fmt.Sprintf("the photo is %dx%d, need at least %dx%d", cfg.Width, cfg.Height, MinImageSide, MinImageSide)}
	case pixels > MaxImagePixels:
		return info, &ImageError{http.StatusRequestEntityTooLarge, "image_too_large", fmt.Sprintf("the photo is %dx%d, more than %d megapixels: send a smaller photo of the face", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)}
	case pixels*bpp > MaxDecodedBytes:
		return info, &ImageError{http.StatusRequestEntityTooLarge, "image_too_large", fmt.Sprintf("the photo is %dx%d at %d bytes a pixel (16-bit colour?): %d MB decoded, more than %d MB; send an 8-bit JPEG or PNG",
			cfg.Width, cfg.Height, bpp, pixels*bpp/1_000_000, MaxDecodedBytes/1_000_000)}
	}
	return info, nil
}

// bytesPerPixel is what image.Decode allocates per pixel for a colour
// model (unknown models count as the worst case, 8).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}
