package server

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Limits of exception attachments.
const (
	// DefaultMaxDocumentBytes bounds one attachment (a scanned letter or
	// a photo of a doctor's note fits easily).
	DefaultMaxDocumentBytes = 5 << 20
	// maxDocumentPixels bounds a JPEG/PNG before it is decoded (a 16 MP
	// phone photo decodes to 64 MB; nothing larger is decoded).
	maxDocumentPixels = 16_000_000
	// maxDocumentName bounds the stored file name.
	maxDocumentName = 200
)

// documentTypes maps the allowed file name extensions to their MIME type.
var documentTypes = map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}

// sniffDocument names what the content is by its magic bytes ("" unknown).
func sniffDocument(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}

// checkDocument verifies an attachment is what its name says (PDF, JPEG
// or PNG by extension, the same by magic bytes) and that it parses, within
// limit bytes. It returns the MIME type to store. Every refusal is a 4xx
// naming the reason.
func checkDocument(name string, data []byte, limit int64) (string, error) {
	if int64(len(data)) > limit {
		return "", fail(http.StatusRequestEntityTooLarge, "document_too_large", "document %q is %d bytes; the limit is %d", trunc(name), len(data), limit)
	}
	if len(data) == 0 {
		return "", badRequest("document %q is empty", trunc(name))
	}
	if len(name) > maxDocumentName || strings.ContainsAny(name, "\x00\r\n/\\") {
		return "", badRequest("document name %q must be a plain file name of at most %d bytes", trunc(name), maxDocumentName)
	}
	want, ok := documentTypes[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return "", fail(http.StatusUnsupportedMediaType, "unsupported_document", "document %q must be a .pdf, .jpg, .jpeg or .png file", trunc(name))
	}
	if got := sniffDocument(data); got != want {
		what := got
		if what == "" {
			what = "not a PDF, JPEG or PNG"
		}
		return "", fail(http.StatusUnsupportedMediaType, "document_mismatch", "document %q is named as %s but its content is %s", trunc(name), want, what)
	}
	var err error
	if want == "application/pdf" {
		err = checkPDF(data)
	} else {
		err = checkImage(data, want)
	}
	if err != nil {
		return "", fail(http.StatusUnprocessableEntity, "document_unreadable", "document %q does not parse as %s: %v", trunc(name), want, err)
	}
	return want, nil
}

func checkImage(data []byte, mime string) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxDocumentPixels {
		return fmt.Errorf("%dx%d pixels: at most %d pixels", cfg.Width, cfg.Height, maxDocumentPixels)
	}
	if mime == "image/png" {
		_, err = png.Decode(bytes.NewReader(data))
	} else {
		_, err = jpeg.Decode(bytes.NewReader(data))
	}
	return err
}

var startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
var objRE = regexp.MustCompile(`^\s*\d+\s+\d+\s+obj\b`)

// checkPDF checks the structure a PDF reader starts from: a version
// header, a trailer ending in %%EOF whose startxref points inside the file
// at a cross-reference table ("xref") or stream (an "N G obj").
func checkPDF(data []byte) error {
	if len(data) < 32 || !regexp.MustCompile(`^%PDF-[12]\.\d`).Match(data[:16]) {
		return fmt.Errorf("no PDF version header")
	}
	tail := data[max(0, len(data)-2048):]
	m := startxrefRE.FindSubmatch(tail)
	if m == nil {
		return fmt.Errorf("no startxref/%%%%EOF trailer at the end")
	}
	off, err := strconv.Atoi(string(m[1]))
	if err != nil || off <= 0 || off >= len(data) {
		return fmt.Errorf("startxref %s points outside the file", m[1])
	}
	at := data[off:]
	if !bytes.HasPrefix(at, []byte("xref")) && !objRE.Match(at[:min(len(at), 64)]) {
		return fmt.Errorf("startxref %d does not point at a cross-reference table", off)
	}
	return nil
}
