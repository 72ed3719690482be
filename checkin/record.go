package checkin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// record applies the rules to an identified, live person and writes the
// event durably before reporting "recorded".
func (p *Pipeline) record(ctx context.Context, f *camera.Frame, c recognition.Face, live *liveness, now time.Time) State {
	pr := &p.pres
	var jpeg []byte
	if p.opts.PhotoQuality > 0 {
		var err error
		if p.photo, err = f.EncodeJPEG(p.photo[:0], p.opts.PhotoQuality); err != nil {
			return p.fail(State{Kind: StateError, Reason: "photo", Err: err, Box: c.Box}, c.Descriptor, now)
		}
		jpeg = p.photo
	}
	e := storage.Event{NIP: pr.person.NIP, Distance: pr.identified.Distance, Margin: min(pr.identified.Margin, NoRival),
		Liveness: live.verdict(), LivenessScore: 1}
	if live == nil {
		e.LivenessScore = 0
	}
	st := p.commit(ctx, e, jpeg, now)
	st.Person, st.Box = pr.person, c.Box
	if st.Result != nil {
		st.Result.Distance, st.Result.Margin = e.Distance, e.Margin
	}
	if st.Kind == StateError {
		return p.fail(st, c.Descriptor, now)
	}
	pr.attempts = 0
	st.Attempts = 0
	if st.Kind == StateRecorded && (live != nil || p.opts.Liveness == LivenessOff) {
		p.adapt(ctx, pr.person.NIP, c)
	}
	// Hold the result while this person stays; the next face in the
	// queue (a different descriptor) starts a new attempt at once.
	pr.hold(phaseHold, st, c.Descriptor, time.Time{})
	return st
}

// NoRival is the margin stored when nobody else is enrolled (the gallery
// reports an infinite gap): larger than any real gap between descriptors.
const NoRival = 2.0

// commit classifies the time, applies the cooldown and writes the event
// (Kind "in"/"out" from the schedule unless e.Kind is already set, i.e.
// manual). It does not touch the presence.
func (p *Pipeline) commit(ctx context.Context, e storage.Event, jpeg []byte, now time.Time) State {
	sched := p.opts.Schedule
	ph, date, err := sched.Classify(now, "")
	if err != nil {
		return State{Kind: StateError, Reason: "schedule", Err: err}
	}
	if ph == attendance.PhaseOutside {
		return State{Kind: StateOutsideHours}
	}
	if ok, prev := sched.Allowed(p.lastTime(e.NIP), now); !ok {
		return State{Kind: StateAlreadyRecorded, Result: &Result{Kind: string(ph), Previous: prev, Time: now.In(sched.Location())}}
	}
	manual := e.Kind == storage.KindManual
	if !manual {
		e.Kind = storage.EventKind(ph)
	} else {
		e.Note = fmt.Sprintf("fallback %s: face not recognised; NIP and PIN given", ph)
	}
	res := &Result{Kind: string(e.Kind), Time: now.In(sched.Location()), Liveness: e.Liveness}
	if p.trial {
		res.Trial = true
		return State{Kind: StateRecorded, Result: res}
	}
	if err := storage.StampClock(&e, now, p.zone); err != nil {
		return State{Kind: StateError, Reason: "clock", Err: err}
	}
	e.ClockOffset = p.opts.ClockOffset()
	saved, err := p.store.RecordEvent(ctx, e, jpeg)
	if err != nil {
		reason := "storage"
		if errors.Is(err, storage.ErrStorageFull) {
			reason = "storage_full"
		}
		return State{Kind: StateError, Reason: reason, Err: err}
	}
	p.remember(saved)
	res.EventID = saved.ID
	if !manual {
		p.grade(res, e.NIP, date, ph, now)
	}
	return State{Kind: StateRecorded, Result: res}
}

// grade fills late/early minutes and the tier from the day's events.
func (p *Pipeline) grade(res *Result, nip string, date attendance.Date, ph attendance.Phase, now time.Time) {
	day, err := p.opts.Schedule.Derive(date, "", p.recent[nip], now)
	if err != nil {
		return
	}
	if ph == attendance.PhaseIn {
		res.Late, res.Tier = day.LateMinutes, day.Late.Name
	} else {
		res.Early, res.Tier = day.EarlyMinutes, day.Early.Name
	}
}

// remember keeps an event for the cooldown and the day's grading.
func (p *Pipeline) remember(e storage.Event) {
	var k attendance.Kind
	switch e.Kind {
	case storage.KindIn:
		k = attendance.KindIn
	case storage.KindOut:
		k = attendance.KindOut
	case storage.KindManual:
		k = attendance.KindManual
	default:
		return
	}
	// Keep two days per person: enough for the cooldown and a night
	// shift's day, bounded however long the kiosk runs.
	kept := p.recent[e.NIP][:0]
	for _, old := range p.recent[e.NIP] {
		if e.Time.Sub(old.Time) < recentSpan {
			kept = append(kept, old)
		}
	}
	p.recent[e.NIP] = append(kept, attendance.Event{Kind: k, Time: e.Time, DeviceID: e.Device,
		Synced: e.Sync == storage.SyncSynced})
}

// recentSpan is how much of each person's history the pipeline keeps.
const recentSpan = 48 * time.Hour

func (p *Pipeline) lastTime(nip string) time.Time {
	var last time.Time
	for _, e := range p.recent[nip] {
		if e.Time.After(last) {
			last = e.Time
		}
	}
	return last
}

// ErrPINLocked: too many wrong fallback PINs for this NIP; wait.
var ErrPINLocked = errors.New("too many wrong PINs")

type pinLock struct {
	failures int
	until    time.Time
}

// Manual records the NIP + PIN fallback as a "manual" event with the
// photo the GUI took, to be approved by a supervisor on the server. A
// wrong PIN returns storage.ErrBadCredentials; PINAttempts wrong PINs
// lock that NIP for PINLockout (ErrPINLocked).
func (p *Pipeline) Manual(ctx context.Context, nip, pin string, photo []byte) (State, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Now()
	lock := p.pins[nip]
	if lock != nil && now.Before(lock.until) {
		return State{}, fmt.Errorf("fallback for %s: %w; try again after %s", nip, ErrPINLocked, lock.until.In(p.opts.Schedule.Location()).Format("15:04"))
	}
	emp, err := p.store.VerifyEmployeePIN(ctx, nip, pin)
	if err != nil {
		if errors.Is(err, storage.ErrBadCredentials) {
			if lock == nil {
				lock = &pinLock{}
				p.pins[nip] = lock
			}
			if lock.failures++; lock.failures >= p.opts.PINAttempts {
				lock.failures, lock.until = 0, now.Add(p.opts.PINLockout)
			}
		}
		return State{}, fmt.Errorf("fallback for %s: %w", nip, err)
	}
	delete(p.pins, nip)
	st := p.commit(ctx, storage.Event{Kind: storage.KindManual, NIP: nip, Liveness: "manual"}, photo, now)
	st.At, st.Person = now, &Person{NIP: emp.NIP, Name: emp.Name, Unit: emp.Unit}
	if st.Kind == StateError {
		return st, st.Err
	}
	p.pres.hold(phaseHold, st, p.pres.heldDesc, time.Time{})
	return st, nil
}
