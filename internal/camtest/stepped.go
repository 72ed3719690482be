// Package camtest plays a video file to a test one frame at a time: the
// camera reader runs on a clock.Manual, and the clock moves to the next
// frame's slot only when the consumer asks for a frame it has not seen.
// Frames are never skipped and the clock reads video time (the first
// frame at the clock's start, then one frame period per frame), so a test
// of the check-in pipeline or the GUI gives the same result on an idle
// machine and on a loaded one: nothing races real time.
package camtest

import (
	"context"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/internal/clock"
)

// Stepped is a camera.Source whose frames advance on demand. Wait and
// Latest are the check-in pipeline's Frames; one consumer steps it (other
// readers, such as a preview, may read Src directly and see whatever
// frame the consumer's steps have reached).
type Stepped struct {
	Src   *camera.Source
	Clock *clock.Manual
}

// Open opens spec (a video file or image folder) with the camera's
// default options changed by tune (may be nil), on clk.
func Open(ctx context.Context, spec string, clk *clock.Manual, tune func(*camera.Options)) (*Stepped, error) {
	o := camera.DefaultOptions()
	if tune != nil {
		tune(&o)
	}
	o.Clock, o.Unpaced = clk, false
	src, err := camera.Open(ctx, spec, o)
	if err != nil {
		return nil, err
	}
	return &Stepped{Src: src, Clock: clk}, nil
}

// Wrap steps an already open source whose Options.Clock is clk.
func Wrap(src *camera.Source, clk *clock.Manual) *Stepped { return &Stepped{Src: src, Clock: clk} }

// Wait returns the next frame after after: when the reader has not
// published one yet, it lets the reader's pacing timer fire (moving the
// clock to that frame's time) once the reader waits on it. It returns the
// source's error when the video ends or fails.
func (s *Stepped) Wait(ctx context.Context, after uint64) (uint64, error) {
	if s.Src.Spec().Kind.Live() {
		// A webcam or a stream is not paced by the clock; its timers are
		// reconnect backoffs, which stepping would fire in a busy loop.
		return s.Src.Wait(ctx, after)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		seq uint64
		err error
	}
	got := make(chan result, 1)
	go func() { // ends with wctx at the latest, before Wait returns
		seq, err := s.Src.Wait(wctx, after)
		got <- result{seq, err}
	}()
	for {
		select {
		case r := <-got:
			return r.seq, r.err
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.Clock.Armed():
			// The reader publishes a frame before it arms the timer that
			// holds the next one, so a frame newer than after is already
			// visible here if there is one: never fire past it.
			if s.Src.Status().Frames > after {
				r := <-got
				return r.seq, r.err
			}
			// Otherwise the reader waits for that frame's slot: move the
			// clock there. Go round again rather than waiting for the
			// frame, in case the timer was someone else's.
			if err := s.Clock.Next(wctx); err != nil {
				return 0, err
			}
		}
	}
}

// Latest copies the newest frame into dst (camera.Source.Latest).
func (s *Stepped) Latest(dst *camera.Frame) (uint64, bool) { return s.Src.Latest(dst) }

// Close closes the source.
func (s *Stepped) Close() error { return s.Src.Close() }
