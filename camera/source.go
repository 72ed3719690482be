// Package camera captures frames from a webcam, a CCTV stream (RTSP or
// HTTP), a video file or a folder of images through gocv, for a kiosk that
// previews the newest frame at 30 fps and recognises faces on it at its
// own, slower pace.
//
// One reader goroutine per Source reads continuously (a stream read too
// slowly makes FFmpeg buffer without bound) and keeps only the newest
// frame: consumers never see a queue, only the latest picture, copied into
// a Frame they own and reuse. The reader reconnects live sources by itself
// with a capped, jittered backoff, and reports what it is doing through
// Status and Options.OnStatus.
package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"
	"time"

	"gocv.io/x/gocv"

	"github.com/hadir-id/hadir/internal/clock"
)

// Source is an open capture with latest-frame semantics. Its methods are
// safe for concurrent use; Close it to stop the reader and free C memory.
type Source struct {
	spec  Spec
	opts  Options
	clock Clock

	cancel    context.CancelFunc
	done      chan struct{} // closed when the reader goroutine returns
	closeOnce sync.Once

	mu     sync.RWMutex
	front  gocv.Mat      // newest frame; swapped with the reader's back buffer
	seq    uint64        // sequence number of front; 0 = no frame yet
	stamp  time.Time     // when front was read
	status Status        // Frames is filled from seq on read
	wake   chan struct{} // made by a waiter, closed by the next change
	closed bool          // front released
}

// Open starts reading spec (see ParseSpec) in a goroutine owned by the
// returned Source and returns at once: whether the camera can be opened is
// reported by Status, OnStatus and Wait, because a kiosk must show "camera
// connecting" instead of blocking. Only a spec that cannot name a source is
// an error here. Cancelling ctx stops the reader like Close does, but Close
// must still be called to free the last frame.
func Open(ctx context.Context, spec string, opts Options) (*Source, error) {
	sp, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", sp, err)
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.FPSWindow <= 0 {
		opts.FPSWindow = time.Second
	}
	rctx, cancel := context.WithCancel(ctx)
	s := &Source{
		spec:   sp,
		opts:   opts,
		clock:  opts.Clock,
		cancel: cancel,
		done:   make(chan struct{}),
		front:  gocv.NewMat(),
		status: Status{State: StateConnecting, Source: sp.String(), Since: opts.Clock.Now()},
	}
	go s.run(rctx)
	return s, nil
}

// Spec returns the parsed spec the source reads.
func (s *Source) Spec() Spec { return s.spec }

// Close stops the reader, waits for it (at most a network timeout, as a
// blocked read in C cannot be interrupted) and frees the frame buffers.
// It is idempotent. Frames already copied into a Frame stay valid.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
		s.mu.Lock()
		s.closed = true
		s.front.Close()
		s.wakeLocked()
		s.mu.Unlock()
	})
	return nil
}

// Status returns the current status; Frames is the latest sequence number.
func (s *Source) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.status
	st.Frames = s.seq
	return st
}

// Latest copies the newest frame into dst, reusing dst's buffer, and
// returns its sequence number. ok is false while no frame has arrived yet
// or after Close. When dst already holds the newest frame nothing is
// copied, so a 30 fps preview polling a 10 fps stream costs nothing extra.
func (s *Source) Latest(dst *Frame) (seq uint64, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.seq == 0 {
		return 0, false
	}
	if dst.owner == s && dst.Seq == s.seq {
		return s.seq, true
	}
	dst.init()
	s.front.CopyTo(&dst.bgr)
	dst.owner, dst.Seq, dst.Time = s, s.seq, s.stamp
	return s.seq, true
}

// Wait blocks until a frame newer than after is available and returns its
// sequence number (pass 0 for the first frame, then the last seq you
// processed). It returns the reason when the source failed or ended
// (wrapping ErrEnded or the failure's sentinel), ErrClosed after Close,
// or ctx's error.
func (s *Source) Wait(ctx context.Context, after uint64) (uint64, error) {
	for {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return 0, fmt.Errorf("wait for %s: %w", s.spec, ErrClosed)
		case s.seq > after:
			seq := s.seq
			s.mu.Unlock()
			return seq, nil
		case s.status.State.Done():
			err := s.status.Err
			s.mu.Unlock()
			return 0, fmt.Errorf("wait for %s: %w", s.spec, err)
		}
		if s.wake == nil {
			s.wake = make(chan struct{})
		}
		w := s.wake
		s.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// wakeLocked releases every Wait; s.mu must be held for writing.
func (s *Source) wakeLocked() {
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
}

// publish makes *back the newest frame by swapping buffers, so the reader
// never copies and the old front becomes its next read buffer.
func (s *Source) publish(back *gocv.Mat, at time.Time) {
	s.mu.Lock()
	s.front, *back = *back, s.front
	s.seq++
	s.stamp = at
	s.wakeLocked()
	s.mu.Unlock()
}

// setStatus applies change and notifies the observer outside the lock.
func (s *Source) setStatus(change func(st *Status)) {
	s.mu.Lock()
	before := s.status.State
	change(&s.status)
	if s.status.State != before {
		s.status.Since = s.clock.Now()
	}
	st := s.status
	st.Frames = s.seq
	s.wakeLocked()
	s.mu.Unlock()
	if s.opts.OnStatus != nil {
		s.opts.OnStatus(st)
	}
}

func (s *Source) setState(state State, attempt int, err error) {
	s.setStatus(func(st *Status) {
		st.State, st.Attempt, st.Err = state, attempt, err
		if state != StateLive {
			st.FPS = 0
		}
	})
}

// run is the reader goroutine: open, stream, and on failure back off and
// reopen until ctx ends or the source gives up.
func (s *Source) run(ctx context.Context) {
	defer close(s.done)
	back := gocv.NewMat()
	defer back.Close()
	timer := s.clock.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()

	s.setStatus(func(*Status) {}) // report "connecting"
	failures := 0
	var schedule time.Time // pacing of files and folders, kept across loops
	for ctx.Err() == nil {
		c, err := openCapture(s.spec, s.opts)
		if ctx.Err() != nil {
			if c != nil {
				c.close()
			}
			break
		}
		if err == nil {
			delivered, rerr := s.stream(ctx, c, &back, timer, &schedule)
			c.close()
			if ctx.Err() != nil {
				break
			}
			if delivered > 0 {
				failures = 0
			}
			switch {
			case delivered == 0:
				err = fmt.Errorf("%s %s: %w", s.spec.Kind, s.spec, ErrNoFrames)
			case errors.Is(rerr, errEOF) && s.opts.Loop:
				continue
			case errors.Is(rerr, errEOF):
				s.setState(StateEnded, 0, fmt.Errorf("%s %s: %w", s.spec.Kind, s.spec, ErrEnded))
				return
			default:
				err = fmt.Errorf("%s %s: %w", s.spec.Kind, s.spec, rerr)
			}
		}
		failures++
		if !s.spec.Kind.Live() || (s.opts.MaxAttempts > 0 && failures >= s.opts.MaxAttempts) {
			s.setState(StateFailed, failures, err)
			return
		}
		s.setState(StateReconnecting, failures, err)
		if !sleep(ctx, timer, s.opts.Backoff.Delay(failures, s.opts.Rand())) {
			break
		}
	}
	s.setState(StateClosed, 0, ErrClosed)
}

// stream reads c until it fails, ends or ctx is done, publishing every
// frame and pacing files and folders to their playback rate: each frame is
// held until its slot on *next, so a looping clip keeps its rate across
// the reopen.
func (s *Source) stream(ctx context.Context, c capture, back *gocv.Mat, timer Timer, next *time.Time) (delivered uint64, err error) {
	info := c.info()
	paced := !s.spec.Kind.Live() && !s.opts.Unpaced
	var period time.Duration
	if paced {
		fps := s.opts.FPS
		if fps <= 0 {
			fps = info.FPS
		}
		if fps <= 0 {
			fps = 30
		}
		period = time.Duration(float64(time.Second) / fps)
	}
	var windowStart time.Time
	var windowN int
	for ctx.Err() == nil {
		if err := c.read(back); err != nil {
			return delivered, err
		}
		if paced {
			now := s.clock.Now()
			if next.IsZero() || now.Sub(*next) > period { // start, or fell behind: no burst
				*next = now
			}
			if wait := next.Sub(now); wait > 0 && !sleep(ctx, timer, wait) {
				return delivered, ctx.Err()
			}
			*next = next.Add(period)
		}
		now := s.clock.Now()
		if size := image.Pt(back.Cols(), back.Rows()); delivered == 0 || size != image.Pt(info.Width, info.Height) {
			info.Width, info.Height = size.X, size.Y
			if delivered == 0 { // this frame opens the first window, it is not in it
				windowStart, windowN = now, -1
			}
			inf := info
			s.setStatus(func(st *Status) {
				st.State, st.Info, st.Attempt, st.Err = StateLive, inf, 0, nil
			})
		}
		s.publish(back, now)
		delivered++
		windowN++
		if d := now.Sub(windowStart); d >= s.opts.FPSWindow {
			fps := float64(windowN) / d.Seconds()
			windowStart, windowN = now, 0
			s.setStatus(func(st *Status) { st.FPS = fps })
		}
	}
	return delivered, ctx.Err()
}

// sleep waits d on the reused timer; false when ctx ended first.
func sleep(ctx context.Context, t Timer, d time.Duration) bool {
	t.Reset(d)
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}
