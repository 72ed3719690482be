//go:build screenshots

package app

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/storage"
)

// The screenshot tour (HADIR_SCREENSHOT_DIR in a binary built with the
// screenshots tag, run by `make screenshots`)
// drives the real kiosk through its main screens and writes what the
// window shows as PNGs, then quits. It proves the app starts and renders
// in a real window and gives reviewers pictures. The camera should be a
// video that shows, in a loop: nobody, an enrolled person, nobody, a
// never-enrolled person (see tools/screenshots.sh). Liveness is off for
// the tour, because a video of photos cannot blink.

// envScreenshotDir names the tour's output folder. Only a binary built
// with the screenshots tag reads it (tools/screenshots.sh); the shipped
// kiosk ignores it.
const envScreenshotDir = "HADIR_SCREENSHOT_DIR"

func init() {
	tour = (*window).screenshotTour
	tourFromEnv = func() string { return os.Getenv(envScreenshotDir) }
}

// Data the tour enrolls through the wizard (the "never enrolled" person
// of the video).
const (
	tourAdmin    = "Admin Demo"
	tourAdminPIN = "246810"
	tourNIP      = "199203152019032004"
	tourName     = "Joy Park"
	tourUnit     = "Dinas Kesehatan"
)

// screenshotTour runs the tour on its own goroutine (owned by k.bg) and
// quits the app when done.
func (k *window) screenshotTour(dir string) {
	defer k.bg.Done()
	err := k.tour(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hadir: screenshot tour:", err)
		k.tourErr = err
	}
	k.do(k.app.Quit)
}

func (k *window) tour(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ui := fyne.DoAndWait
	wait := func(what string, limit time.Duration, cond func() bool) error {
		end := time.Now().Add(limit)
		for time.Now().Before(end) {
			if k.ctx.Err() != nil {
				return k.ctx.Err()
			}
			ok := false
			ui(func() { ok = cond() })
			if ok {
				return nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return fmt.Errorf("timed out after %s waiting for %s", limit, what)
	}
	shot := func(name string) error {
		time.Sleep(150 * time.Millisecond) // let the last refresh paint
		path := filepath.Join(dir, name)
		if err := k.grab(path); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintln(os.Stderr, "hadir: wrote", path)
		return nil
	}
	onCheckin := func() bool { return k.mode == modeCheckin && k.checkin != nil }
	if err := wait("the camera", 60*time.Second, func() bool { return onCheckin() && k.cam.live() }); err != nil {
		return err
	}
	if err := wait("an idle check-in screen", 60*time.Second, func() bool {
		return onCheckin() && k.checkin.last.Kind == checkin.StateIdle && !k.checkin.cardVisible()
	}); err != nil {
		return err
	}
	if err := shot("01-checkin-idle.png"); err != nil {
		return err
	}
	if err := wait("a recognised person", 90*time.Second, func() bool {
		return onCheckin() && k.checkin.cardVisible() && k.checkin.cardKind == checkin.StateRecorded
	}); err != nil {
		return err
	}
	if err := shot("02-checkin-recognised.png"); err != nil {
		return err
	}
	if err := wait("an unknown face", 90*time.Second, func() bool {
		return onCheckin() && k.checkin.cardVisible() && k.checkin.cardKind == checkin.StateUnknown
	}); err != nil {
		return err
	}
	if err := shot("03-checkin-unknown.png"); err != nil {
		return err
	}
	// The preview's refresh rate in this real window while the pipeline
	// recognises (the scene loops through faces), for the CI log.
	shown0, steps0, t0 := k.preview.shown.Load(), k.steps.Load(), time.Now()
	time.Sleep(5 * time.Second)
	secs := time.Since(t0).Seconds()
	var camFPS float64
	ui(func() { camFPS = k.cam.status.FPS })
	fmt.Fprintf(os.Stderr, "hadir: preview %.1f fps, recognition %.1f frames/s over %.1f s (camera delivers %.1f fps)\n",
		float64(k.preview.shown.Load()-shown0)/secs, float64(k.steps.Load()-steps0)/secs, secs, camFPS)

	var w *enrollWizard
	var terr error
	ui(func() { w, terr = k.tourEnroll() })
	if terr != nil {
		return terr
	}
	if err := wait("an enrollment sample", 90*time.Second, func() bool {
		return w.step == stepCapture && w.count.Value >= 1 && !w.k.preview.faceBox.Empty() &&
			w.hint.Text != tr("capture.no_face")
	}); err != nil {
		return err
	}
	if err := shot("04-enroll-capture.png"); err != nil {
		return err
	}
	ui(func() { k.operator.selectTab(tabLog) })
	if err := wait("the attendance log", 30*time.Second, func() bool {
		t, _ := k.operator.tab(tabLog).(*logTab)
		return t != nil && len(t.rows) > 0
	}); err != nil {
		return err
	}
	return shot("05-admin-log.png")
}

// grab writes what the X server shows of the window as a PNG. The GL
// driver's Canvas().Capture() reads back a black frame under Xvfb's
// software GL, so the tour asks ffmpeg's x11grab for the screen itself:
// that is also the better proof that the window really rendered. Without
// X or ffmpeg it falls back to Capture.
func (k *window) grab(path string) error {
	var size fyne.Size
	var scale float32
	fyne.DoAndWait(func() {
		size, scale = k.win.Canvas().Size(), k.win.Canvas().Scale()
	})
	w, h := int(size.Width*scale+0.5), int(size.Height*scale+0.5)
	display := os.Getenv("DISPLAY")
	if ff, err := exec.LookPath("ffmpeg"); err == nil && display != "" {
		cmd := exec.CommandContext(k.ctx, ff, "-loglevel", "error", "-y", "-f", "x11grab", "-draw_mouse", "0",
			"-video_size", fmt.Sprintf("%dx%d", w, h), "-i", display+"+0,0", "-frames:v", "1", path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("ffmpeg x11grab: %v: %s", err, out)
		}
		return nil
	}
	var img image.Image
	fyne.DoAndWait(func() { img = k.win.Canvas().Capture() })
	if img == nil {
		return errors.New("capture returned no image")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tourEnroll logs the demo admin in (creating it on a fresh store) and
// walks the wizard to the capture step, as an operator would by tapping.
func (k *window) tourEnroll() (*enrollWizard, error) {
	ops, err := k.svc.Store.Operators(k.ctx)
	if err != nil {
		return nil, err
	}
	op := storage.Operator{Name: tourAdmin, Role: storage.RoleAdmin}
	if len(ops) == 0 {
		if op, err = k.svc.Store.PutOperator(storage.WithActor(k.ctx, tourAdmin), tourAdmin, storage.RoleAdmin, tourAdminPIN); err != nil {
			return nil, err
		}
	} else if op, err = k.svc.Store.VerifyOperator(k.ctx, tourAdmin, tourAdminPIN); err != nil {
		return nil, err
	}
	k.ops.Lock.Start(k.now(), op)
	k.showOperator(tabEnroll)
	w, ok := k.operator.tab(tabEnroll).(*enrollWizard)
	if !ok {
		return nil, errors.New("no enrollment tab")
	}
	w.agree.SetChecked(true)
	w.next0.OnTapped()
	w.nip.SetText(tourNIP)
	w.name.SetText(tourName)
	w.unit.SetText(tourUnit)
	w.checkEmployee()
	if w.step != stepCapture {
		return nil, fmt.Errorf("wizard stopped before the capture: %s", w.msg1.Text)
	}
	return w, nil
}
