package app

import (
	"context"
	"image"
	"sync"
	"sync/atomic"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
)

// camSession is the open camera: its Source, the preview goroutine reading
// it, and the last status it reported. UI thread only.
type camSession struct {
	src     *camera.Source
	spec    string
	gen     uint64 // bumped per open: late callbacks of an old camera are ignored
	cancel  context.CancelFunc
	done    chan struct{} // closed when the preview goroutine returned
	status  camera.Status
	openErr error // the spec could not even be parsed
}

// live reports whether the camera delivers frames.
func (c *camSession) live() bool { return c.src != nil && c.status.State == camera.StateLive }

// openCamera closes the current camera and opens spec; whether it works
// is reported later through OnStatus (a kiosk shows "connecting", it does
// not block).
func (k *window) openCamera(spec string) {
	k.stopPipeline()
	k.closeCamera()
	k.cam.gen++
	gen := k.cam.gen
	k.cam.spec = spec
	opts := camera.DefaultOptions()
	opts.Loop = true // a video file or folder plays forever (demos, tests)
	opts.Clock = k.clock
	opts.OnStatus = func(st camera.Status) {
		k.do(func() {
			if gen == k.cam.gen {
				k.cameraStatus(st)
			}
		})
	}
	src, err := camera.Open(k.ctx, spec, opts)
	if err != nil {
		k.cam.openErr = err
		k.cam.status = camera.Status{State: camera.StateFailed, Source: spec, Err: err}
		k.cameraChanged()
		return
	}
	ctx, cancel := context.WithCancel(k.ctx)
	done := make(chan struct{})
	k.cam.src, k.cam.cancel, k.cam.done, k.cam.openErr = src, cancel, done, nil
	k.cam.status = src.Status()
	go func() { // the preview: owned by this camera session, stopped by cancel
		defer close(done)
		k.preview.run(ctx, src, k.do)
	}()
	k.cameraChanged()
	if k.mode == modeCheckin {
		k.startPipeline()
	}
}

// closeCamera stops the preview and closes the source in the background
// (a network camera's Close can block for its timeout).
func (k *window) closeCamera() {
	if k.cam.src == nil {
		return
	}
	k.cam.cancel()
	<-k.cam.done
	src := k.cam.src
	k.cam.src, k.cam.cancel, k.cam.done = nil, nil, nil
	k.bg.Add(1)
	go func() {
		defer k.bg.Done()
		_ = src.Close()
	}()
}

// cameraStatus takes a status report of the current camera (UI thread).
func (k *window) cameraStatus(st camera.Status) {
	was := k.cam.live()
	k.cam.status = st
	if was != k.cam.live() || st.State != camera.StateLive {
		k.cameraChanged()
	}
}

// cameraChanged redraws what depends on the camera.
func (k *window) cameraChanged() {
	if k.checkin != nil {
		k.checkin.cameraChanged()
	}
	if k.operator != nil {
		k.operator.cameraChanged()
	}
}

// pipeSession is the goroutine running the check-in pipeline
// (ops.Pipeline).
type pipeSession struct {
	gen    uint64
	cancel context.CancelFunc
	done   chan struct{}
	trial  bool
}

// startPipeline runs check-in on the current camera (no-op without one).
func (k *window) startPipeline() { k.runPipeline(false, k.showState) }

// runPipeline starts the pipeline goroutine; show gets the newest state
// on the UI thread.
func (k *window) runPipeline(trial bool, show func(checkin.State, image.Image)) {
	k.stopPipeline()
	if k.cam.src == nil || k.svc == nil {
		return
	}
	p, err := k.ops.Pipeline()
	if err != nil {
		if k.checkin != nil {
			k.checkin.pipelineFailed(err)
		}
		return
	}
	p.SetTrial(trial)
	k.pipe.trial = trial
	k.pipe.gen++
	gen := k.pipe.gen
	ctx, cancel := context.WithCancel(k.ctx)
	done := make(chan struct{})
	k.pipe.cancel, k.pipe.done = cancel, done
	report := k.reporter(gen, show)
	src := kiosk.PacedFrames(k.cam.src, kiosk.RecognitionFPS)
	if k.opt.frames != nil {
		src = k.opt.frames(k.cam.src)
	}
	go func() { // owned by the pipe session; stopped by cancel (stopPipeline)
		defer close(done)
		if err := p.Run(ctx, src, report); err != nil {
			k.do(func() {
				if gen == k.pipe.gen && k.checkin != nil {
					k.checkin.pipelineFailed(err)
				}
			})
		}
	}()
}

// stopPipeline stops the pipeline goroutine and waits for it, so that two
// Runs never overlap; states it queued are ignored (gen).
func (k *window) stopPipeline() {
	if k.pipe.cancel == nil {
		return
	}
	k.pipe.cancel()
	<-k.pipe.done
	k.pipe.cancel, k.pipe.done = nil, nil
	k.pipe.gen++
	if k.pipe.trial {
		k.ops.CurrentPipeline().SetTrial(false)
		k.pipe.trial = false
	}
}

// startTrial runs the pipeline in "try it now" mode for the enrollment
// wizard: nothing is recorded.
func (k *window) startTrial(show func(checkin.State, image.Image)) { k.runPipeline(true, show) }

// stopTrial ends a "try it now" run.
func (k *window) stopTrial() {
	if k.pipe.trial {
		k.stopPipeline()
		if p := k.ops.CurrentPipeline(); p != nil {
			p.Reset()
		}
	}
}

// stateSlot holds the newest state not yet shown: the pipeline reports
// every frame, the UI shows only the latest, so a slow UI never builds a
// queue behind the camera.
type stateSlot struct {
	mu     sync.Mutex
	st     checkin.State
	photo  image.Image
	full   bool
	queued atomic.Bool
}

// reporter returns the pipeline's report function: it loads the person's
// photo on the pipeline goroutine (never on the UI thread), keeps the
// newest state, and schedules one UI hand-over at a time.
func (k *window) reporter(gen uint64, show func(checkin.State, image.Image)) func(checkin.State) {
	slot := &stateSlot{}
	return func(st checkin.State) {
		k.steps.Add(1)
		var photo image.Image
		if st.Person != nil && st.Kind.Terminal() {
			photo = k.ops.Photos().Get(k.ctx, st)
		}
		slot.mu.Lock()
		slot.st, slot.photo, slot.full = st, photo, true
		slot.mu.Unlock()
		if !slot.queued.CompareAndSwap(false, true) {
			return
		}
		k.do(func() {
			slot.queued.Store(false)
			slot.mu.Lock()
			st, photo, ok := slot.st, slot.photo, slot.full
			slot.full, slot.photo = false, nil
			slot.mu.Unlock()
			if ok && gen == k.pipe.gen {
				show(st, photo)
			}
		})
	}
}

// showState hands a pipeline state to the check-in screen.
func (k *window) showState(st checkin.State, photo image.Image) {
	if k.checkin != nil && k.mode == modeCheckin {
		k.checkin.show(st, photo)
	}
}
