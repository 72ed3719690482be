package app

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/internal/memory"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// Screens the window can show.
const (
	modeLoading  = "loading"
	modeProblem  = "problem"
	modeCheckin  = "checkin"
	modeLogin    = "login"
	modeOperator = "operator"
)

// windowOptions are the seams tests use; production leaves them zero.
type windowOptions struct {
	// clock is the kiosk's one time: PIN lock, idle lock, status bar,
	// result card, the check-in pipeline, enrollment sample spacing and
	// the camera's playback of files (nil: the wall clock).
	clock clock.Clock
	// frames, when set, is what the pipeline and the enrollment capture
	// read instead of the camera (tests: a camtest.Stepped that plays a
	// video frame by frame on a manual clock); nil: the camera, with the
	// pipeline paced to recognitionFPS.
	frames func(*camera.Source) frameSource
	do     func(func())           // hands work to the UI thread (nil: fyne.Do)
	ticker bool                   // run the UI ticker goroutine (tests call tick themselves)
	sound  kiosk.Player           // nil: the system player
	tune   func(*checkin.Options) // tests: adjust the check-in pipeline
}

// window is the kiosk's window: it shows the state of the operations
// (ops, package kiosk) and calls them. It owns the camera session, the
// check-in pipeline's goroutine and the screens. Its fields are used on
// the UI thread only, except where noted; other goroutines reach it
// through do (fyne.Do), and store work goes through offUI.
type window struct {
	ctx    context.Context // ends when the kiosk shuts down
	cancel context.CancelFunc
	app    fyne.App
	win    fyne.Window
	ops    *kiosk.Kiosk // the operations: settings, operator session, audit, ...
	opt    windowOptions
	svc    *kiosk.Services // ops.Services(), once loaded
	do     func(func())    // fyne.Do unless the window has closed
	closed atomic.Bool
	clock  clock.Clock   // ops.Clock()
	steps  atomic.Uint64 // frames the pipeline examined (measurements)
	sound  kiosk.Player
	bg     sync.WaitGroup // goroutines owned by the window (ticker, store work, camera closes)
	// working counts offUI work whose result the UI has not taken yet
	// (tests wait for it to settle).
	working int

	preview *preview

	cam  camSession
	pipe pipeSession

	mode      string
	checkin   *checkinScreen
	operator  *operatorScreen
	problem   *kiosk.StartupError
	status    kiosk.SyncStatus
	pending   int
	afterAuth func()     // what to do once an operator logs in (e.g. save the camera)
	login     *loginForm // the login screen while shown
	tourErr   error      // the screenshot tour's failure, returned by Run
}

func newWindow(ctx context.Context, a fyne.App, w fyne.Window, cfg kiosk.Config, opt windowOptions) *window {
	kctx, cancel := context.WithCancel(ctx)
	ops := kiosk.New(kctx, cfg, kiosk.Options{Clock: opt.clock, Tune: opt.tune})
	k := &window{ctx: kctx, cancel: cancel, app: a, win: w, ops: ops, opt: opt,
		preview: newPreview(), sound: opt.sound, clock: ops.Clock()}
	raw := opt.do
	if raw == nil {
		raw = fyne.Do
	}
	k.do = func(f func()) {
		if !k.closed.Load() {
			raw(f)
		}
	}
	if k.sound == nil {
		k.sound = kiosk.Silent{}
	}
	w.SetTitle(tr("kiosk.title"))
	return k
}

// now is the kiosk's clock.
func (k *window) now() time.Time {
	return k.clock.Now()
}

// start wires the loaded services in (the operations start the sync
// worker and the retention loop) and shows the check-in screen.
func (k *window) start(svc *kiosk.Services) {
	k.svc = svc
	k.ops.Start(svc)
	if k.ops.Cfg.Lang == "" {
		if code := k.ops.Setting(kiosk.SettingLanguage, ""); code != "" && code != currentLanguage {
			if SetLanguage(code) == nil {
				k.win.SetTitle(tr("kiosk.title"))
			}
		}
	}
	svc.Sync.OnStatus(func(s kiosk.SyncStatus) { k.do(func() { k.applyStatus(s, k.pending) }) })
	k.status = svc.Sync.Status()
	k.refreshStatus()
	if k.opt.ticker {
		k.bg.Add(1)
		go k.runTicker()
	}
	k.openCamera(k.ops.CameraSpec())
	k.showCheckin()
}

// showProblem replaces everything with an explanation of a startup error.
func (k *window) showProblem(err error) {
	var se *kiosk.StartupError
	if !errors.As(err, &se) {
		se = &kiosk.StartupError{Key: "problem.other", Err: err}
	}
	k.problem = se
	k.mode = modeProblem
	k.win.SetContent(k.problemScreen(se))
}

// showCheckin returns to the check-in screen and (re)starts the pipeline.
func (k *window) showCheckin() {
	if k.svc == nil {
		return
	}
	k.stopTrial()
	if k.operator != nil {
		k.operator.leave()
		// Lists, exports and the audit viewer read much of the store:
		// the check-in screen needs none of those pages resident.
		_ = k.svc.Store.ReleaseMemory()
	}
	k.mode = modeCheckin
	if k.checkin == nil {
		k.checkin = newCheckinScreen(k)
	}
	k.checkin.attach()
	k.win.SetContent(k.checkin.root)
	k.startPipeline()
}

// showLogin asks for an operator PIN; then runs after (nil: the operator
// home screen). The check-in pipeline stops meanwhile: nobody is
// recorded while the screen does not show it.
func (k *window) showLogin(after func()) {
	k.stopPipeline()
	k.afterAuth = after
	k.mode = modeLogin
	k.win.SetContent(k.loginScreen())
}

// loggedIn is called when an operator session starts.
func (k *window) loggedIn() {
	after := k.afterAuth
	k.afterAuth = nil
	k.showOperator("")
	if after != nil {
		after()
	}
}

// showOperator shows the operator screens, on tab when given.
func (k *window) showOperator(tab string) {
	if k.ops.Lock.Session() == nil {
		k.showLogin(func() { k.showOperator(tab) })
		return
	}
	k.stopPipeline()
	k.mode = modeOperator
	if k.operator == nil {
		k.operator = newOperatorScreen(k)
	}
	k.win.SetContent(k.operator.root)
	if tab != "" {
		k.operator.selectTab(tab)
	}
}

// lock ends the operator session (idle or by the operator) and goes back
// to the check-in screen. Audited.
func (k *window) lock(why string) {
	if s := k.ops.Lock.Session(); s != nil {
		k.audit(storage.Audit{Actor: s.Name, Action: kiosk.ActionLogout, Subject: s.Name, Detail: why})
	}
	k.ops.Lock.End()
	if k.operator != nil {
		k.operator.leave()
		k.operator = nil
	}
	k.afterAuth = nil
	k.showCheckin()
}

// touch records operator activity for the idle lock.
func (k *window) touch() { k.ops.Lock.Touch(k.now()) }

// audit appends an entry under the logged-in operator, off the UI
// goroutine (the store fsyncs); a failure is only logged: the action
// itself already happened.
func (k *window) audit(a storage.Audit) {
	ops := k.ops
	offUI(k, func(ctx context.Context) (struct{}, error) {
		ops.Audit(ctx, a)
		return struct{}{}, nil
	}, func(struct{}, error) {})
}

// saveSettings saves settings (key, value pairs) off the UI goroutine
// under the logged-in operator (the store audits each; the pipeline is
// rebuilt with them when check-in resumes); done gets the outcome on the
// UI goroutine.
func (k *window) saveSettings(done func(error), kv ...[2]string) {
	ops := k.ops
	offUI(k, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, ops.SetSettings(ctx, kv...)
	}, func(_ struct{}, err error) { done(err) })
}

// location is the kiosk's time zone: the schedule's, else WIB.
func (k *window) location() *time.Location { return k.ops.Location() }

// rebuild recreates every screen after a language change.
func (k *window) rebuild() {
	k.win.SetTitle(tr("kiosk.title"))
	if k.checkin != nil {
		k.checkin.detach()
		k.checkin = nil
	}
	tab := ""
	if k.operator != nil {
		tab = k.operator.current()
		k.operator.leave()
		k.operator = nil
	}
	switch k.mode {
	case modeCheckin:
		k.showCheckin()
	case modeOperator:
		k.showOperator(tab)
	case modeLogin:
		k.win.SetContent(k.loginScreen())
	case modeProblem:
		k.showProblem(k.problem)
	case modeLoading:
		k.win.SetContent(loadingScreen())
	}
}

// shutdown stops every goroutine the kiosk owns and closes the services.
func (k *window) shutdown() {
	k.stopTrial()
	k.stopPipeline()
	if k.operator != nil {
		k.operator.leave()
	}
	k.closeCamera()
	k.cancel()
	k.bg.Wait()
	k.ops.Close()
}

// tick runs twice a second on the UI thread: clock, result card expiry,
// idle lock.
func (k *window) tick() {
	now := k.now()
	if k.ops.Lock.Idle(now) {
		k.lock(kiosk.LogoutIdle)
	}
	if k.mode == modeCheckin && k.checkin != nil {
		k.checkin.tick(now)
	}
	if k.mode == modeLogin {
		k.refreshLoginLock(now)
	}
}

// runTicker drives tick and the status refresh until the kiosk ends.
func (k *window) runTicker() {
	defer k.bg.Done()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
		}
		k.do(k.tick)
		if n++; n%60 == 0 { // every 30 s: what frames and screens left behind
			memory.Release()
		}
		if n%6 == 0 { // every 3 s: events waiting to sync
			if p, err := k.svc.Store.OutboxLen(k.ctx); err == nil {
				s := k.svc.Sync.Status()
				k.do(func() { k.applyStatus(s, p) })
			}
		}
	}
}

// refreshStatus reads the outbox and sync state now (UI thread; cheap).
func (k *window) refreshStatus() {
	p, err := k.svc.Store.OutboxLen(k.ctx)
	if err != nil {
		p = k.pending
	}
	k.applyStatus(k.svc.Sync.Status(), p)
}

func (k *window) applyStatus(s kiosk.SyncStatus, pending int) {
	k.status, k.pending = s, pending
	if k.checkin != nil {
		k.checkin.status.update(s, pending, k.now().In(k.location()))
	}
	if k.operator != nil {
		k.operator.syncChanged()
	}
}
