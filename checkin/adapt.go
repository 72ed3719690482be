package checkin

import (
	"context"
	"math"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// GalleryWriter is the part of recognition.Gallery that adaptation needs
// to make a learnt template count from the next frame on. A Matcher that
// is not one (a test's fixed matcher) disables adaptation.
type GalleryWriter interface {
	Set(id string, templates []recognition.Descriptor)
}

// Adapted is what one adaptation did, for Options.OnAdapt.
type Adapted struct {
	NIP       string
	Templates int // the person's templates now, adapted ones included
}

// adapt learns the face of a recorded check-in as an extra template of
// nip when Options.Adaptation allows it (recognition.Adaptation). It runs
// on the recognition worker after the event is durable; a failure only
// costs the template (the check-in stands), so it is logged by the
// caller's OnAdapt, never shown to the person. It returns the reason a
// face was not learnt ("" when it was).
//
// The gallery is set from the templates the store's transaction
// returned. A roster pull that changes the same person between that
// transaction and the Set is overwritten in the gallery (not in the
// store) until the next pull or restart reloads the person; the store
// stays the truth.
func (p *Pipeline) adapt(ctx context.Context, nip string, c recognition.Face) recognition.AdaptReason {
	w, ok := p.gal.(GalleryWriter)
	if !ok || p.opts.NoAdapt || p.trial {
		return "disabled"
	}
	m := p.gal.Search(c.Descriptor)
	if m.ID != nip {
		return recognition.AdaptOtherPerson
	}
	ts, err := p.store.Templates(ctx, nip)
	if err != nil {
		return "storage"
	}
	anchor := math.Inf(1)
	for _, t := range ts {
		if !t.Adapted {
			anchor = min(anchor, recognition.Distance(c.Descriptor, recognition.Descriptor(t.Descriptor)))
		}
	}
	a := p.opts.Adaptation
	if r := a.Check(nip, m, anchor); r != "" {
		return r
	}
	q := c.Quality
	all, err := p.store.AdaptTemplate(ctx, nip, storage.Template{Descriptor: c.Descriptor, Quality: storage.TemplateQuality{
		FaceWidth: q.FaceWidth, Sharpness: q.Sharpness, Brightness: q.Brightness, Yaw: q.Yaw, EyeOpenness: q.EyeOpenness}}, a.MaxAdapted)
	if err != nil {
		if p.opts.OnAdapt != nil {
			p.opts.OnAdapt(Adapted{NIP: nip}, err)
		}
		return "storage"
	}
	ds := make([]recognition.Descriptor, len(all))
	for i, t := range all {
		ds[i] = recognition.Descriptor(t.Descriptor)
	}
	w.Set(nip, ds)
	if p.opts.OnAdapt != nil {
		p.opts.OnAdapt(Adapted{NIP: nip, Templates: len(all)}, nil)
	}
	return ""
}
