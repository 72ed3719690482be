package kiosk

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"sync"

	"golang.org/x/image/draw"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// photoWidth is the width of a stored enrollment photo (the face shown
// on the result card, kept encrypted by the store with the employee's
// other biometric data and erased with them): big enough for the card,
// far below storage.MaxEnrollPhoto.
const photoWidth = 240

// EraseEmployee deletes an employee with their templates, PIN, evidence
// photos and enrollment photo (UU PDP erasure; the store audits it).
func EraseEmployee(ctx context.Context, st *storage.Store, nip string) (storage.EraseReport, error) {
	rep, err := st.EraseEmployee(ctx, nip)
	if err != nil {
		return rep, fmt.Errorf("erase employee %s: %w", nip, err)
	}
	return rep, nil
}

// FacePhoto crops the face box (with a margin for hair and chin) out of
// img and scales it to photoWidth, as a JPEG.
func FacePhoto(img image.Image, box image.Rectangle) ([]byte, error) {
	r := faceCrop(box, img.Bounds())
	if r.Empty() {
		return nil, fmt.Errorf("face photo: empty box %v", box)
	}
	h := r.Dy() * photoWidth / max(r.Dx(), 1)
	dst := image.NewRGBA(image.Rect(0, 0, photoWidth, max(h, 1)))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, r, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("face photo: %w", err)
	}
	return buf.Bytes(), nil
}

// faceCrop widens a face box to a portrait (3:4) with a margin, inside b.
func faceCrop(box, b image.Rectangle) image.Rectangle {
	w := box.Dx() * 17 / 10
	h := w * 4 / 3
	cx, cy := (box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2-box.Dy()/10
	return image.Rect(cx-w/2, cy-h/2, cx+w/2, cy+h/2).Intersect(b)
}

// PhotoCache keeps decoded enrollment photos for the result card, loaded
// on the pipeline goroutine.
type PhotoCache struct {
	st *storage.Store
	mu sync.Mutex
	m  map[string]image.Image // NIP -> photo; nil = known to have none
}

func NewPhotoCache(st *storage.Store) *PhotoCache {
	return &PhotoCache{st: st, m: map[string]image.Image{}}
}

// Get returns the photo to show for a decided state: the enrollment photo,
// else the face cut from the evidence photo just taken, else nil.
func (c *PhotoCache) Get(ctx context.Context, st checkin.State) image.Image {
	if c == nil || st.Person == nil {
		return nil
	}
	nip := st.Person.NIP
	c.mu.Lock()
	img, known := c.m[nip]
	c.mu.Unlock()
	if !known {
		if data, err := c.st.EnrollPhoto(ctx, nip); err == nil {
			img, _ = jpeg.Decode(bytes.NewReader(data))
		}
		c.mu.Lock()
		if len(c.m) > 256 {
			clear(c.m)
		}
		c.m[nip] = img
		c.mu.Unlock()
	}
	if img != nil {
		return img
	}
	return c.evidence(ctx, st)
}

// evidence cuts the face out of the event's evidence photo.
func (c *PhotoCache) evidence(ctx context.Context, st checkin.State) image.Image {
	if st.Result == nil || st.Result.EventID == "" || st.Box.Empty() {
		return nil
	}
	ev, err := c.st.Event(ctx, st.Result.EventID)
	if err != nil || ev.PhotoID == "" {
		return nil
	}
	data, err := c.st.Photo(ctx, ev.PhotoID)
	if err != nil {
		return nil
	}
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	r := faceCrop(st.Box, full.Bounds())
	if si, ok := full.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok && !r.Empty() {
		return si.SubImage(r)
	}
	return full
}

// Forget drops a cached photo (after enrollment or erasure).
func (c *PhotoCache) Forget(nip string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, nip)
	c.mu.Unlock()
}
