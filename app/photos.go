package app

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

// Enrollment photos (the face shown on the result card) are biometric
// data, so they are kept encrypted. The store has no photo API for
// enrollment yet (see /work/briefs/gui-requests.md), so they live in its
// encrypted secrets bucket under this prefix, and are erased with the
// employee by eraseEmployee.
const photoSecretPrefix = "enroll-photo/"

// photoWidth is the width of a stored enrollment photo: big enough for the
// card, small enough for the secret size limit (64 KiB).
const photoWidth = 240

// saveEnrollPhoto stores nip's enrollment photo (a JPEG from facePhoto).
func saveEnrollPhoto(ctx context.Context, st *storage.Store, nip string, jpg []byte) error {
	if err := st.SetSecret(ctx, photoSecretPrefix+nip, jpg); err != nil {
		return fmt.Errorf("save enrollment photo of %s: %w", nip, err)
	}
	return nil
}

// enrollPhoto returns nip's enrollment photo, ErrNotFound when none.
func enrollPhoto(ctx context.Context, st *storage.Store, nip string) ([]byte, error) {
	return st.Secret(ctx, photoSecretPrefix+nip)
}

// eraseEmployee deletes an employee with their templates, evidence photos
// and enrollment photo (UU PDP erasure; the store audits it).
func eraseEmployee(ctx context.Context, st *storage.Store, nip string) (storage.EraseReport, error) {
	rep, err := st.EraseEmployee(ctx, nip)
	if err != nil {
		return rep, fmt.Errorf("erase employee %s: %w", nip, err)
	}
	if err := st.DeleteSecret(ctx, photoSecretPrefix+nip); err != nil {
		return rep, fmt.Errorf("erase enrollment photo of %s: %w", nip, err)
	}
	return rep, nil
}

// facePhoto crops the face box (with a margin for hair and chin) out of
// img and scales it to photoWidth, as a JPEG.
func facePhoto(img image.Image, box image.Rectangle) ([]byte, error) {
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

// photoCache keeps decoded enrollment photos for the result card, loaded
// on the pipeline goroutine.
type photoCache struct {
	st *storage.Store
	mu sync.Mutex
	m  map[string]image.Image // NIP -> photo; nil = known to have none
}

func newPhotoCache(st *storage.Store) *photoCache {
	return &photoCache{st: st, m: map[string]image.Image{}}
}

// get returns the photo to show for a decided state: the enrollment photo,
// else the face cut from the evidence photo just taken, else nil.
func (c *photoCache) get(ctx context.Context, st checkin.State) image.Image {
	if c == nil || st.Person == nil {
		return nil
	}
	nip := st.Person.NIP
	c.mu.Lock()
	img, known := c.m[nip]
	c.mu.Unlock()
	if !known {
		if data, err := enrollPhoto(ctx, c.st, nip); err == nil {
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
func (c *photoCache) evidence(ctx context.Context, st checkin.State) image.Image {
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

// forget drops a cached photo (after enrollment or erasure).
func (c *photoCache) forget(nip string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, nip)
	c.mu.Unlock()
}
