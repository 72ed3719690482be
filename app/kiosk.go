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

// kioskOptions are the seams tests use; production leaves them zero.
type kioskOptions struct {
	// clock is the kiosk's time: PIN lock, idle lock, status bar, result
	// card, the check-in pipeline, enrollment sample spacing and the
	// camera's playback of files (nil: the wall clock).
	clock clock.Clock
	// frames, when set, is what the pipeline and the enrollment capture
	// read instead of the camera (tests: a camtest.Stepped that plays a
	// video frame by frame on a manual clock); nil: the camera, with the
	// pipeline paced to recognitionFPS.
	frames func(*camera.Source) frameSource
	do     func(func())           // hands work to the UI thread (nil: fyne.Do)
	ticker bool                   // run the UI ticker goroutine (tests call tick themselves)
	sound  player                 // nil: the system player
	tune   func(*checkin.Options) // tests: adjust the check-in pipeline
}

// kiosk is the controller of the kiosk window: it owns the camera session,
// the check-in pipeline's goroutine, the operator session and the screens.
// Its fields are used on the UI thread only, except where noted; other
// goroutines reach it through do (fyne.Do).
type kiosk struct {
	ctx    context.Context // ends when the kiosk shuts down
	cancel context.CancelFunc
	app    fyne.App
	win    fyne.Window
	cfg    Config
	opt    kioskOptions
	svc    *services
	do     func(func()) // fyne.Do unless the window has closed
	closed atomic.Bool
	clock  clock.Clock
	steps  atomic.Uint64 // frames the pipeline examined (measurements)
	sound  player
	bg     sync.WaitGroup // goroutines owned by the kiosk (ticker, sync, camera closes)

	preview *preview
	photos  *photoCache

	cam   camSession
	pipe  pipeSession
	guard pinGuard

	mode      string
	checkin   *checkinScreen
	operator  *operatorScreen
	problem   *startupError
	status    syncStatus
	pending   int
	afterAuth func()     // what to do once an operator logs in (e.g. save the camera)
	login     *loginForm // the login screen while shown
	loc       *time.Location
	tourErr   error // the screenshot tour's failure, returned by Run
}

func newKiosk(ctx context.Context, a fyne.App, w fyne.Window, cfg Config, opt kioskOptions) *kiosk {
	kctx, cancel := context.WithCancel(ctx)
	k := &kiosk{ctx: kctx, cancel: cancel, app: a, win: w, cfg: cfg, opt: opt,
		preview: newPreview(), sound: opt.sound, clock: clock.Or(opt.clock)}
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
		k.sound = silent{}
	}
	w.SetTitle(tr("kiosk.title"))
	return k
}

// now is the kiosk's clock.
func (k *kiosk) now() time.Time {
	return k.clock.Now()
}

// start wires the services in and shows the check-in screen.
func (k *kiosk) start(svc *services) {
	k.svc = svc
	k.photos = newPhotoCache(svc.store)
	if k.cfg.Lang == "" {
		if code := k.setting(settingLanguage, ""); code != "" && code != currentLanguage {
			if SetLanguage(code) == nil {
				k.win.SetTitle(tr("kiosk.title"))
			}
		}
	}
	svc.sync.OnStatus(func(s syncStatus) { k.do(func() { k.applyStatus(s, k.pending) }) })
	k.status = svc.sync.Status()
	k.refreshStatus()
	k.bg.Add(1)
	go func() { // the sync worker: owned by the kiosk, ends with k.ctx
		defer k.bg.Done()
		_ = svc.sync.Run(k.ctx)
	}()
	k.bg.Add(1)
	go func() { // retention: old photos and synced events; ends with k.ctx
		defer k.bg.Done()
		_ = svc.store.Run(k.ctx, nil)
	}()
	if k.opt.ticker {
		k.bg.Add(1)
		go k.runTicker()
	}
	k.openCamera(k.cameraSpec())
	k.showCheckin()
}

// showProblem replaces everything with an explanation of a startup error.
func (k *kiosk) showProblem(err error) {
	var se *startupError
	if !errors.As(err, &se) {
		se = &startupError{Key: "problem.other", Err: err}
	}
	k.problem = se
	k.mode = modeProblem
	k.win.SetContent(k.problemScreen(se))
}

// showCheckin returns to the check-in screen and (re)starts the pipeline.
func (k *kiosk) showCheckin() {
	if k.svc == nil {
		return
	}
	k.stopTrial()
	if k.operator != nil {
		k.operator.leave()
		// Lists, exports and the audit viewer read much of the store:
		// the check-in screen needs none of those pages resident.
		_ = k.svc.store.ReleaseMemory()
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
func (k *kiosk) showLogin(after func()) {
	k.stopPipeline()
	k.afterAuth = after
	k.mode = modeLogin
	k.win.SetContent(k.loginScreen())
}

// loggedIn is called when an operator session starts.
func (k *kiosk) loggedIn() {
	after := k.afterAuth
	k.afterAuth = nil
	k.showOperator("")
	if after != nil {
		after()
	}
}

// showOperator shows the operator screens, on tab when given.
func (k *kiosk) showOperator(tab string) {
	if k.guard.sess == nil {
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
func (k *kiosk) lock(why string) {
	if s := k.guard.sess; s != nil {
		k.audit(storage.Audit{Actor: s.Name, Action: actionLogout, Subject: s.Name, Detail: why})
	}
	k.guard.End()
	if k.operator != nil {
		k.operator.leave()
		k.operator = nil
	}
	k.afterAuth = nil
	k.showCheckin()
}

// touch records operator activity for the idle lock.
func (k *kiosk) touch() { k.guard.Touch(k.now()) }

// actor is a context naming the logged-in operator for the audit log.
func (k *kiosk) actor() context.Context {
	name := "kiosk"
	if k.guard.sess != nil {
		name = k.guard.sess.Name
	}
	return storage.WithActor(k.ctx, name)
}

// audit appends an entry; a failure is only logged: the action itself
// already happened.
func (k *kiosk) audit(a storage.Audit) {
	if k.svc == nil {
		return
	}
	if err := k.svc.store.RecordAudit(k.actor(), a); err != nil {
		fyne.LogError("audit "+string(a.Action), err)
	}
}

// rebuild recreates every screen after a language change.
func (k *kiosk) rebuild() {
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
func (k *kiosk) shutdown() {
	k.stopTrial()
	k.stopPipeline()
	if k.operator != nil {
		k.operator.leave()
	}
	k.closeCamera()
	k.cancel()
	k.bg.Wait()
	if k.svc != nil {
		k.svc.Close()
	}
}

// tick runs twice a second on the UI thread: clock, result card expiry,
// idle lock.
func (k *kiosk) tick() {
	now := k.now()
	if k.guard.Idle(now) {
		k.lock(logoutIdle)
	}
	if k.mode == modeCheckin && k.checkin != nil {
		k.checkin.tick(now)
	}
	if k.mode == modeLogin {
		k.refreshLoginLock(now)
	}
}

// runTicker drives tick and the status refresh until the kiosk ends.
func (k *kiosk) runTicker() {
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
			if p, err := k.svc.store.OutboxLen(k.ctx); err == nil {
				s := k.svc.sync.Status()
				k.do(func() { k.applyStatus(s, p) })
			}
		}
	}
}

// refreshStatus reads the outbox and sync state now (UI thread; cheap).
func (k *kiosk) refreshStatus() {
	p, err := k.svc.store.OutboxLen(k.ctx)
	if err != nil {
		p = k.pending
	}
	k.applyStatus(k.svc.sync.Status(), p)
}

func (k *kiosk) applyStatus(s syncStatus, pending int) {
	k.status, k.pending = s, pending
	if k.checkin != nil {
		k.checkin.status.update(s, pending, k.now().In(k.location()))
	}
	if k.operator != nil {
		k.operator.syncChanged()
	}
}
