package server

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // JPEG decoder for validation
	_ "image/png"  // PNG decoder for validation
	"net/http"
)

// Image limits of the photo API.
const (
	MinImageSide   = 64
	MaxImagePixels = 40_000_000
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

// ValidateImage checks an uploaded photo by content: size, JPEG or PNG
// magic bytes (a PNG named .jpg is a PNG; a text file named .jpg is
// refused), dimensions from the header before decoding (no decompression
// bombs), then a full decode (truncated or corrupt files are refused). It
// is pure Go, so it runs before the face engine ever sees the bytes.
func ValidateImage(data []byte, maxBytes int64) (ImageInfo, error) {
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
	switch {
	case cfg.Width < MinImageSide || cfg.Height < MinImageSide:
		return info, &ImageError{http.StatusUnprocessableEntity, "image_too_small", fmt.Sprintf("the photo is %dx%d, need at least %dx%d", cfg.Width, cfg.Height, MinImageSide, MinImageSide)}
	case int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels:
		return info, &ImageError{http.StatusRequestEntityTooLarge, "image_too_large", fmt.Sprintf("the photo is %dx%d, more than %d pixels", cfg.Width, cfg.Height, MaxImagePixels)}
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return info, &ImageError{http.StatusUnprocessableEntity, "undecodable_image", fmt.Sprintf("the %s image is corrupt or truncated: %v", info.Format, err)}
	}
	return info, nil
}
