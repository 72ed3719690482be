package kiosk

import (
	"context"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// Pipeline returns the check-in pipeline, building it from the saved
// settings the first time and again after they changed (SetSettings,
// Erase). UI goroutine only: the window runs one pipeline at a time.
func (k *Kiosk) Pipeline() (*checkin.Pipeline, error) {
	if k.pipe != nil && !k.stale.Load() {
		return k.pipe, nil
	}
	k.stale.Store(false)
	o, err := k.PipelineOptions()
	if err != nil {
		return k.pipe, err
	}
	p, err := checkin.New(k.ctx, k.svc.Engine, k.svc.Gallery, k.svc.Store, o)
	if err != nil {
		k.stale.Store(true)
		return k.pipe, err
	}
	_ = k.svc.Store.ReleaseMemory() // the recent events New read
	k.pipe = p
	k.loc.Store(o.Schedule.Location())
	return p, nil
}

// CurrentPipeline is the pipeline last built, nil before the first.
// UI goroutine only.
func (k *Kiosk) CurrentPipeline() *checkin.Pipeline { return k.pipe }

// Location is the kiosk's time zone: the schedule's, else WIB.
func (k *Kiosk) Location() *time.Location {
	if l := k.loc.Load(); l != nil {
		return l
	}
	l := attendance.DefaultConfig().Location()
	if o, err := k.PipelineOptions(); err == nil {
		l = o.Schedule.Location()
	}
	k.loc.Store(l)
	return l
}

// settingsChanged makes the next Pipeline and Location read the settings
// again. Any goroutine.
func (k *Kiosk) settingsChanged() {
	k.stale.Store(true)
	k.loc.Store(nil)
}

// Erase deletes an employee with their templates, PIN, evidence photos
// and enrollment photo (UU PDP erasure, audited by the store under the
// operator in ctx), takes them out of the live gallery and the photo
// cache, and has the pipeline rebuilt so it forgets their recent events.
// It fsyncs: not on the UI goroutine.
func (k *Kiosk) Erase(ctx context.Context, nip string) (storage.EraseReport, error) {
	rep, err := EraseEmployee(ctx, k.svc.Store, nip)
	if err != nil {
		return rep, err
	}
	k.svc.Gallery.Remove(nip)
	k.photos.Forget(nip)
	k.stale.Store(true)
	return rep, nil
}

// Enroll saves an enrollment (SaveEnrollment: one store transaction,
// audited under the operator in ctx, then the live gallery), drops the
// person's cached photo and has the pipeline rebuilt with them. It
// hashes the PIN and fsyncs: not on the UI goroutine.
func (k *Kiosk) Enroll(ctx context.Context, e Enrollment) ([]storage.Template, error) {
	saved, err := SaveEnrollment(ctx, k.svc.Store, k.svc.Gallery, e)
	if err != nil {
		return saved, err
	}
	k.photos.Forget(e.Employee.NIP)
	k.stale.Store(true)
	return saved, nil
}

// RecognitionFPS caps how many frames per second the pipeline examines.
// Unpaced, the face engine takes every frame it can (~30 ms each) and its
// BLAS threads starve the preview on a 2-core tablet; 15 per second still
// samples a blink (100-400 ms) two or more times and decides an identity
// (3 agreeing of 5 frames) in about 0.2 s.
const RecognitionFPS = 15

// PacedFrames hands the pipeline src's frames no faster than fps. It
// paces the CPU, not the kiosk's time, so it waits on the wall clock;
// tests step their frames themselves instead.
func PacedFrames(src checkin.Frames, fps int) checkin.Frames {
	return &pacedFrames{src: src, gap: time.Second / time.Duration(fps)}
}

// pacedFrames is PacedFrames' source; only the pipeline goroutine calls it.
type pacedFrames struct {
	src  checkin.Frames
	gap  time.Duration
	last time.Time
}

func (p *pacedFrames) Wait(ctx context.Context, after uint64) (uint64, error) {
	if d := p.gap - time.Since(p.last); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
	seq, err := p.src.Wait(ctx, after)
	p.last = time.Now()
	return seq, err
}

func (p *pacedFrames) Latest(dst *camera.Frame) (uint64, bool) { return p.src.Latest(dst) }
