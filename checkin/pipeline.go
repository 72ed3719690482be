package checkin

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"gocv.io/x/gocv"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// Detector finds faces with landmarks, descriptor and quality in a frame
// (recognition.Engine).
type Detector interface {
	DetectMat(ctx context.Context, m gocv.Mat) ([]recognition.Face, error)
}

// Matcher finds the nearest enrolled identities (recognition.Gallery, kept
// live by enrollment and sync).
type Matcher interface {
	Search(d recognition.Descriptor) recognition.Match
}

// Store is the durable side (storage.Store).
type Store interface {
	Employee(ctx context.Context, nip string) (storage.Employee, error)
	Templates(ctx context.Context, nip string) ([]storage.Template, error)
	RecordEvent(ctx context.Context, e storage.Event, photo []byte) (storage.Event, error)
	RecentEvents(ctx context.Context, since time.Time, limit int) ([]storage.Event, error)
	VerifyEmployeePIN(ctx context.Context, nip, pin string) (storage.Employee, error)
	AdaptTemplate(ctx context.Context, nip string, t storage.Template, maxAdapted int) ([]storage.Template, error)
}

// Frames is a camera (camera.Source): Wait for a frame newer than the last
// one processed, then take the newest with Latest.
type Frames interface {
	Wait(ctx context.Context, after uint64) (uint64, error)
	Latest(dst *camera.Frame) (uint64, bool)
}

// Pipeline is the kiosk's check-in logic. Step runs on one worker
// goroutine; Manual, Reset and SetTrial may be called from the GUI
// concurrently.
type Pipeline struct {
	det   Detector
	gal   Matcher
	store Store
	opts  Options
	zone  string

	mu     sync.Mutex
	pres   presence
	trial  bool
	recent map[string][]attendance.Event // NIP -> events of the last two days
	pins   map[string]*pinLock
	photo  []byte
}

// New loads the last two days of events (for the cooldown and late
// minutes) and returns a pipeline ready to Run.
func New(ctx context.Context, det Detector, gal Matcher, store Store, opts Options) (*Pipeline, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	p := &Pipeline{det: det, gal: gal, store: store, opts: opts,
		zone:   opts.Schedule.Location().String(),
		recent: map[string][]attendance.Event{}, pins: map[string]*pinLock{}}
	p.pres.reset(opts)
	evs, err := store.RecentEvents(ctx, opts.Now().Add(-recentSpan), 0)
	if err != nil {
		return nil, fmt.Errorf("load recent events: %w", err)
	}
	for _, e := range evs {
		p.remember(e)
	}
	return p, nil
}

// SetTrial switches "try it now" mode: identification and liveness run as
// usual but nothing is written (an operator testing a new enrollment).
func (p *Pipeline) SetTrial(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trial = on
	p.pres.reset(p.opts)
}

// Reset abandons the current attempt (the GUI closed the fallback form).
func (p *Pipeline) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pres.reset(p.opts)
}

// Run processes the newest frame of src, again and again, until ctx ends
// (nil) or the source fails or ends (its error). Frames arriving while a
// frame is processed are skipped, so recognition never lags the preview.
// report is called on Run's goroutine for every processed frame and must
// return quickly (a GUI hands the State to its UI thread).
func (p *Pipeline) Run(ctx context.Context, src Frames, report func(State)) error {
	return newest(ctx, src, func(f *camera.Frame) error {
		report(p.Step(ctx, f))
		return nil
	})
}

// newest calls fn with the newest frame of src, again and again, until ctx
// ends (nil), fn fails (its error) or the source fails or ends.
func newest(ctx context.Context, src Frames, fn func(*camera.Frame) error) error {
	f := camera.NewFrame()
	defer f.Close()
	var seq uint64
	for {
		if _, err := src.Wait(ctx, seq); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		s, ok := src.Latest(f)
		if !ok {
			continue
		}
		seq = s
		if err := fn(f); err != nil {
			return err
		}
	}
}

// Step processes one frame and returns the resulting state.
func (p *Pipeline) Step(ctx context.Context, f *camera.Frame) State {
	faces, err := p.det.DetectMat(ctx, f.Mat())
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Now()
	if err != nil {
		return State{Kind: StateError, At: now, Reason: "recognition", Err: err}
	}
	st := p.step(ctx, f, faces, now)
	st.At, st.FrameSize = now, f.Size()
	return st
}

func (p *Pipeline) step(ctx context.Context, f *camera.Frame, faces []recognition.Face, now time.Time) State {
	pr := &p.pres
	if len(faces) == 0 {
		if pr.seen && now.Sub(pr.lastFace) < p.opts.AbsentAfter {
			st := pr.last // a missed detection: keep the state, drop the box
			st.Box = image.Rectangle{}
			return st
		}
		pr.reset(p.opts)
		return pr.show(State{Kind: StateIdle})
	}
	pr.seen, pr.lastFace = true, now
	c, two := candidate(faces, p.opts.SimilarFaces)
	switch pr.phase {
	case phaseHold, phaseFallback:
		if pr.held.Kind != "" && recognition.Distance(c.Descriptor, pr.heldDesc) > p.opts.NewPersonDistance {
			pr.reset(p.opts) // the next person in the queue
			pr.seen, pr.lastFace = true, now
		} else if pr.phase == phaseFallback || pr.holdUntil.IsZero() || now.Before(pr.holdUntil) {
			st := pr.held
			st.Box = c.Box
			return st
		} else {
			pr.startAttempt()
		}
	}
	if two {
		pr.votes.reset()
		return pr.show(State{Kind: StateGuiding, Guidance: GuideOnePerson, Box: c.Box})
	}
	if pr.phase == phaseChallenge {
		return p.challenge(ctx, f, c, now)
	}
	if g := guide(c, f.Size(), p.opts.Limits, p.opts.EdgeMargin); g != GuideNone {
		return pr.show(State{Kind: StateGuiding, Guidance: g, Box: c.Box})
	}
	return p.identify(ctx, f, c, now)
}

func (p *Pipeline) identify(ctx context.Context, f *camera.Frame, c recognition.Face, now time.Time) State {
	pr := &p.pres
	d := p.opts.Policy.Decide(p.gal.Search(c.Descriptor))
	if p.opts.Liveness == LivenessBlink {
		if pr.live == nil {
			pr.live = newLiveness(ChallengeBlink, &p.opts, 0)
		}
		if ok, _ := pr.live.observe(c.Quality); ok {
			pr.blinked = true
		}
	}
	win, unknown := pr.votes.add(d)
	if unknown {
		return p.fail(State{Kind: StateUnknown, Reason: pr.votes.reason(), Box: c.Box}, c.Descriptor, now)
	}
	if !win.Accepted() {
		return pr.show(State{Kind: StateIdentifying, Progress: pr.votes.progress(), Box: c.Box})
	}
	emp, err := p.store.Employee(ctx, win.ID)
	if err != nil || emp.Status != storage.StatusActive {
		reason := "not_active"
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return p.fail(State{Kind: StateError, Reason: "storage", Err: err, Box: c.Box}, c.Descriptor, now)
		}
		return p.fail(State{Kind: StateUnknown, Reason: reason, Box: c.Box}, c.Descriptor, now)
	}
	pr.identified, pr.desc = win, c.Descriptor
	pr.person = &Person{NIP: emp.NIP, Name: emp.Name, Unit: emp.Unit}
	switch {
	case p.opts.Liveness == LivenessOff:
		return p.record(ctx, f, c, nil, now)
	case p.opts.Liveness == LivenessBlink && pr.blinked:
		return p.record(ctx, f, c, pr.live, now)
	case p.opts.Liveness == LivenessChallenge:
		pr.live = newLiveness(challengeFor(LivenessChallenge, p.opts.Rand), &p.opts, p.enrolledEAR(ctx, emp.NIP))
		pr.live.observe(c.Quality)
	}
	pr.phase, pr.challengeStart = phaseChallenge, now
	return pr.show(State{Kind: StateChallenge, Challenge: pr.live.want, Person: pr.person, Box: c.Box})
}

func (p *Pipeline) challenge(ctx context.Context, f *camera.Frame, c recognition.Face, now time.Time) State {
	pr := &p.pres
	d := p.opts.Policy.Decide(p.gal.Search(c.Descriptor))
	if (d.Accepted() && d.ID != pr.identified.ID) ||
		(!d.Accepted() && recognition.Distance(c.Descriptor, pr.desc) > p.opts.NewPersonDistance) {
		pr.startAttempt() // another face took over: identify again
		return pr.show(State{Kind: StateIdentifying, Box: c.Box})
	}
	ok, progress := pr.live.observe(c.Quality)
	if ok {
		return p.record(ctx, f, c, pr.live, now)
	}
	if expired(pr.challengeStart, now, p.opts.ChallengeTimeout) {
		return p.fail(State{Kind: StateLivenessFailed, Reason: "timeout", Person: pr.person, Challenge: pr.live.want, Box: c.Box}, c.Descriptor, now)
	}
	return pr.show(State{Kind: StateChallenge, Challenge: pr.live.want, Progress: progress, Person: pr.person, Box: c.Box})
}

// fail ends an attempt; the MaxAttempts-th failure offers the fallback.
func (p *Pipeline) fail(st State, desc recognition.Descriptor, now time.Time) State {
	pr := &p.pres
	pr.attempts++
	st.Attempts = pr.attempts
	if pr.attempts >= p.opts.MaxAttempts {
		st = State{Kind: StateFallback, Attempts: pr.attempts, Reason: string(st.Kind), Box: st.Box}
		pr.hold(phaseFallback, st, desc, time.Time{})
		return st
	}
	pr.hold(phaseHold, st, desc, now.Add(p.opts.RetryAfter))
	return st
}

// enrolledEAR is the median eye openness of a person's enrollment samples.
func (p *Pipeline) enrolledEAR(ctx context.Context, nip string) float64 {
	ts, err := p.store.Templates(ctx, nip)
	if err != nil || len(ts) == 0 {
		return 0
	}
	v := make([]float64, 0, len(ts))
	for _, t := range ts {
		v = append(v, t.Quality.EyeOpenness)
	}
	return median(v)
}
