package app

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/internal/camtest"
	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/kiosk/kiosktest"
	"github.com/hadir-id/hadir/recognition"
)

// uiQueue stands in for fyne.Do in tests. The test driver runs fyne.Do
// inline on the calling goroutine, which would touch widgets from the
// pipeline's goroutine while the test reads them; the queue instead runs
// UI work on the test goroutine when the test pumps it, as the real
// driver runs it on the main goroutine.
type uiQueue struct {
	mu      sync.Mutex
	fns     []func()
	pending int           // queued and not yet finished
	drained chan struct{} // closed when pending drops to 0; made by a waiter
	wake    chan struct{} // closed when work is queued; made by a waiter
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.pending++
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
	q.mu.Unlock()
}

// queued returns a channel closed when work is queued (at once if some
// already is).
func (q *uiQueue) queued() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch := make(chan struct{})
	if len(q.fns) > 0 {
		close(ch)
		return ch
	}
	q.wake = ch
	return ch
}

// waitDrained blocks until every queued function has run (the test
// pumped the queue), or ctx ends.
func (q *uiQueue) waitDrained(ctx context.Context) error {
	q.mu.Lock()
	if q.pending == 0 {
		q.mu.Unlock()
		return nil
	}
	if q.drained == nil {
		q.drained = make(chan struct{})
	}
	ch := q.drained
	q.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pump runs the queued UI work (and work it queues) on this goroutine.
func (q *uiQueue) pump() int {
	n := 0
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return n
		}
		for _, f := range fns {
			f()
			n++
			q.mu.Lock()
			if q.pending--; q.pending == 0 && q.drained != nil {
				close(q.drained)
				q.drained = nil
			}
			q.mu.Unlock()
		}
	}
}

// until pumps the queue until cond holds. It waits on the queue, not on
// a timer: the conditions are UI state, which only queued work changes.
// It fails when no UI work at all arrives for stall (the kiosk is stuck,
// not slow): on a loaded machine the work just takes longer, and the
// test's own deadline (go test -timeout) bounds the whole run.
func (q *uiQueue) until(t *testing.T, stall time.Duration, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(stall)
	defer timer.Stop()
	for {
		if q.pump() > 0 {
			timer.Reset(stall)
		}
		if cond() {
			return
		}
		select {
		case <-q.queued():
		case <-timer.C:
			t.Fatalf("waiting for %s: no UI work for %s", what, stall)
		}
	}
}

// lockstepFrames is what the pipeline and the enrollment capture read in
// tests: the camera's video stepped one frame per request on the kiosk's
// manual clock (so the clock reads video time), and no new frame before
// the UI has shown what the last one produced (the test pumps the
// queue). Nothing in a GUI test races real time: on a loaded machine the
// same frames give the same states at the same clock readings.
type lockstepFrames struct {
	*camtest.Stepped
	q *uiQueue
}

func (f lockstepFrames) Wait(ctx context.Context, after uint64) (uint64, error) {
	if err := f.q.waitDrained(ctx); err != nil {
		return 0, err
	}
	return f.Stepped.Wait(ctx, after)
}

// recorder is a player that remembers the cues.
type recorder struct {
	mu   sync.Mutex
	cues []string
}

func (r *recorder) Play(name string) {
	r.mu.Lock()
	r.cues = append(r.cues, name)
	r.mu.Unlock()
}

var (
	engineOnce sync.Once
	engine     *recognition.Engine
	engineErr  error
)

// testEngine returns the real face engine, loaded once per test binary.
func testEngine(t *testing.T) *recognition.Engine {
	t.Helper()
	dir := testutil.ModelsDir(t)
	engineOnce.Do(func() { engine, engineErr = recognition.NewEngine(dir, recognition.DefaultOptions()) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// kioskEnv is a kiosk under test with its window, queue and clock.
type kioskEnv struct {
	k     *window
	w     fyne.Window
	q     *uiQueue
	clock *clock.Manual // the kiosk's and its camera's time
	sound *recorder
	dir   string
}

type envOptions struct {
	det    kiosk.Detector
	camera string // spec; "" = a device that does not exist
	tune   func(*checkin.Options)
	lang   string
}

// newEnv builds a kiosk on a temporary store, without a ticker goroutine:
// tests call tick and pump themselves.
func newEnv(t *testing.T, o envOptions) *kioskEnv {
	t.Helper()
	a := test.NewTempApp(t)
	if o.lang == "" {
		o.lang = "id"
	}
	if err := SetLanguage(o.lang); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clk := clock.NewManual(time.Date(2026, 4, 6, 7, 25, 0, 0, time.FixedZone("WIB", 7*3600)))
	st := kiosktest.Store(t, filepath.Join(dir, "data"), clk.Now)
	if o.det == nil {
		o.det = kiosktest.NoFaces{}
	}
	svc := kiosk.NewServices(st, filepath.Join(dir, "data"), o.det, kiosk.OfflineSync{})
	if err := svc.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o.camera == "" {
		o.camera = "/dev/video-none-" + filepath.Base(dir)
	}
	env := &kioskEnv{q: &uiQueue{}, clock: clk, sound: &recorder{}, dir: dir}
	env.w = a.NewWindow("")
	env.w.Resize(fyne.NewSize(1280, 800))
	cfg := kiosk.Config{Lang: o.lang, DataDir: svc.DataDir, Camera: o.camera}
	env.k = newWindow(context.Background(), a, env.w, cfg, windowOptions{clock: env.clock, do: env.q.do, sound: env.sound, tune: o.tune,
		frames: func(src *camera.Source) frameSource { return lockstepFrames{camtest.Wrap(src, env.clock), env.q} }})
	env.k.start(svc)
	t.Cleanup(func() {
		env.k.shutdown()
		env.q.pump()
	})
	env.q.pump()
	return env
}

// loginAdmin creates an admin and logs them in through the first-admin form.
func (e *kioskEnv) loginAdmin(t *testing.T) {
	t.Helper()
	e.k.showOperator("")
	e.loginAdminForm(t)
	if e.k.mode != modeOperator {
		t.Fatalf("mode %s after creating the admin", e.k.mode)
	}
}

// loginAdminForm fills the first-admin form shown now (admin Sari, PIN
// 135790).
func (e *kioskEnv) loginAdminForm(t *testing.T) {
	t.Helper()
	f := e.k.login
	if f == nil || !f.first {
		t.Fatal("no first-admin form")
	}
	f.newN.SetText("Sari")
	f.pin.SetText("135790")
	f.pin2.SetText("135790")
	test.Tap(f.ok)
	e.q.until(t, 10*time.Second, "the first admin", func() bool { return !f.busy })
	if e.k.login == f {
		t.Fatalf("first admin not created: %s", f.msg.Text)
	}
}

// decodeFile decodes an image file (JPEG, PNG, PGM).
func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
}

// orl is the path of an ORL image.
func orl(t *testing.T, subject, n int) string {
	return filepath.Join(testutil.Dataset(t, "orl"), fmt.Sprintf("s%d", subject), fmt.Sprintf("%d.pgm", n))
}

// findButton finds a visible button labelled text in o's tree.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if o == nil || !o.Visible() {
		return nil
	}
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
		return nil
	}
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// tapText taps the visible button labelled text.
func tapText(t *testing.T, root fyne.CanvasObject, text string) {
	t.Helper()
	b := findButton(root, text)
	if b == nil {
		t.Fatalf("no visible button %q", text)
	}
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
}

// settle pumps the UI queue until the store work the screens handed off
// (offUI) has finished and its results are shown.
func (e *kioskEnv) settle(t *testing.T) {
	t.Helper()
	e.q.until(t, 30*time.Second, "the store work", func() bool { return e.k.working == 0 })
}
