package checkin

import (
	"context"
	"fmt"
	"image"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// WatchStore is what the CCTV watcher writes to (storage.Store).
type WatchStore interface {
	Employee(ctx context.Context, nip string) (storage.Employee, error)
	RecordEvent(ctx context.Context, e storage.Event, photo []byte) (storage.Event, error)
}

// WatchOptions tune a Watcher. Start from DefaultWatchOptions.
type WatchOptions struct {
	Policy recognition.Policy
	// Interval: at most one sighting per person (or per stranger) in it.
	Interval time.Duration
	// MinFaceWidth ignores faces too small to identify reliably (CCTV
	// sees the far end of a lobby).
	MinFaceWidth int
	// SameStranger: an unknown face this close to a recently sighted
	// unknown face is the same stranger (not sighted again).
	SameStranger float64
	// PhotoQuality of the snapshot stored with each sighting; 0: none.
	PhotoQuality int
	// Zone is the IANA zone stored on events.
	Zone        string
	Now         func() time.Time
	ClockOffset func() time.Duration
}

// DefaultWatchOptions: one sighting per person per minute, faces from 60
// px, the kiosk's decision policy.
func DefaultWatchOptions() WatchOptions {
	return WatchOptions{Policy: recognition.DefaultPolicy(), Interval: time.Minute, MinFaceWidth: 60,
		SameStranger: 0.5, PhotoQuality: 80, Zone: "Asia/Jakarta"}
}

// Sighting is one face seen by the watcher and written as an event.
type Sighting struct {
	EventID  string          `json:"event_id"`
	Time     time.Time       `json:"time"`
	Known    bool            `json:"known"`
	NIP      string          `json:"nip,omitempty"`
	Name     string          `json:"name,omitempty"`
	Distance float64         `json:"distance"`
	Margin   float64         `json:"margin"`
	Reason   string          `json:"reason,omitempty"` // why an unknown face matched nobody
	Box      image.Rectangle `json:"box"`
	PhotoID  string          `json:"photo_id,omitempty"`
}

// Watcher identifies every face of a CCTV stream and writes rate-limited
// sighting events. Unlike the kiosk it makes no attendance decision.
type Watcher struct {
	det   Detector
	gal   Matcher
	store WatchStore
	opts  WatchOptions

	seen      map[string]time.Time // NIP -> last sighting
	strangers []stranger
	photo     []byte
}

type stranger struct {
	desc recognition.Descriptor
	at   time.Time
}

// NewWatcher returns a watcher; nothing runs until Run or Step.
func NewWatcher(det Detector, gal Matcher, store WatchStore, opts WatchOptions) *Watcher {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ClockOffset == nil {
		opts.ClockOffset = func() time.Duration { return 0 }
	}
	return &Watcher{det: det, gal: gal, store: store, opts: opts, seen: map[string]time.Time{}}
}

// Run processes the newest frame of src until ctx ends (nil) or the
// source ends or fails; emit is called for every sighting written. A
// network source reconnects by itself (camera.Options.MaxAttempts 0).
func (w *Watcher) Run(ctx context.Context, src Frames, emit func(Sighting)) error {
	return newest(ctx, src, func(f *camera.Frame) error {
		sights, err := w.Step(ctx, f)
		for _, si := range sights {
			emit(si)
		}
		return err
	})
}

// Step identifies the faces of one frame and records a sighting for each
// person (or stranger) not sighted within the interval. A storage error
// stops it (the event would be lost); a recognition error skips the frame.
func (w *Watcher) Step(ctx context.Context, f *camera.Frame) ([]Sighting, error) {
	faces, err := w.det.DetectMat(ctx, f.Mat())
	if err != nil {
		return nil, nil
	}
	now := w.opts.Now()
	w.forget(now)
	var out []Sighting
	for _, face := range faces {
		if face.Quality.FaceWidth < w.opts.MinFaceWidth {
			continue
		}
		d := w.opts.Policy.Decide(w.gal.Search(face.Descriptor))
		s := Sighting{Time: now, Known: d.Accepted(), NIP: d.ID, Distance: d.Distance, Margin: min(d.Margin, NoRival),
			Reason: string(d.Reason), Box: face.Box}
		if !w.fresh(s, face.Descriptor, now) {
			continue
		}
		if s.Known {
			if emp, err := w.store.Employee(ctx, s.NIP); err == nil {
				s.Name = emp.Name
			}
		}
		if err := w.record(ctx, f, &s, now); err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// fresh reports whether this face has not been sighted within the
// interval, and marks it sighted.
func (w *Watcher) fresh(s Sighting, desc recognition.Descriptor, now time.Time) bool {
	if s.Known {
		if _, ok := w.seen[s.NIP]; ok {
			return false
		}
		w.seen[s.NIP] = now
		return true
	}
	for _, st := range w.strangers {
		if recognition.Distance(st.desc, desc) < w.opts.SameStranger {
			return false
		}
	}
	w.strangers = append(w.strangers, stranger{desc: desc, at: now})
	return true
}

// forget drops sightings older than the interval.
func (w *Watcher) forget(now time.Time) {
	for nip, at := range w.seen {
		if now.Sub(at) >= w.opts.Interval {
			delete(w.seen, nip)
		}
	}
	kept := w.strangers[:0]
	for _, st := range w.strangers {
		if now.Sub(st.at) < w.opts.Interval {
			kept = append(kept, st)
		}
	}
	w.strangers = kept
}

func (w *Watcher) record(ctx context.Context, f *camera.Frame, s *Sighting, now time.Time) error {
	var jpeg []byte
	if w.opts.PhotoQuality > 0 {
		var err error
		if w.photo, err = f.EncodeJPEG(w.photo[:0], w.opts.PhotoQuality); err != nil {
			return fmt.Errorf("sighting snapshot: %w", err)
		}
		jpeg = w.photo
	}
	e := storage.Event{Kind: storage.KindSighting, NIP: s.NIP, Distance: s.Distance, Margin: s.Margin, Liveness: "none"}
	if err := storage.StampClock(&e, now, w.opts.Zone); err != nil {
		return err
	}
	e.ClockOffset = w.opts.ClockOffset()
	saved, err := w.store.RecordEvent(ctx, e, jpeg)
	if err != nil {
		return fmt.Errorf("record sighting: %w", err)
	}
	s.EventID, s.PhotoID = saved.ID, saved.PhotoID
	return nil
}
