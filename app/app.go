// Package app is the kiosk's Fyne GUI. It only displays what the check-in
// pipeline reports and calls its operations; other goroutines reach
// widgets only through fyne.Do. It also wires the kiosk together from its
// parts: store, face engine, gallery, camera, pipeline and sync worker.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/hadir-id/hadir/assets"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/kiosk"
)

// ErrNoDisplay is returned when there is no graphical session to open the
// kiosk window in.
var ErrNoDisplay = errors.New("no display: the kiosk needs a graphical session (set DISPLAY or WAYLAND_DISPLAY); the command-line tools work without one: hadir help")

// currentLanguage is the language last set by SetLanguage.
var currentLanguage = "id"

// Run starts the kiosk window and blocks until it is closed or ctx ends.
// The window appears at once with a loading screen; the store and the
// face models load behind it, and a failure there (store in use, models
// missing) is explained on screen rather than returned.
func Run(ctx context.Context, args []string) error {
	cfg, err := kiosk.ParseConfig(args)
	if err != nil {
		return err
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	code := cfg.Lang
	if code == "" {
		code = "id"
	}
	if err := SetLanguage(code); err != nil {
		return err
	}
	a := fyneapp.NewWithID("id.hadir.kiosk")
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(kioskTheme{})
	w := a.NewWindow(tr("kiosk.title"))
	w.SetIcon(assets.Icon)
	opt, tourDir := runOptions()
	k := newWindow(ctx, a, w, cfg, opt)
	k.mode = modeLoading
	w.SetContent(loadingScreen())
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(cfg.Fullscreen)
	w.SetMaster()
	syncOpts := kiosk.SyncOptions(cfg)
	syncOpts.Clock = k.clock // one clock for the camera, pipeline, PIN lock and sync
	loaded := make(chan struct{})
	go func() { // loads the services; ends once they are handed to the UI
		defer close(loaded)
		svc, err := kiosk.OpenServices(k.ctx, cfg.DataDir, cfg.ModelsDir, syncOpts)
		if err == nil {
			k.sound = kiosk.NewPlayer(k.ctx, svc.SoundDir(), assets.Sounds)
		}
		k.do(func() {
			if err != nil {
				k.showProblem(err)
				return
			}
			k.start(svc)
			if tourDir != "" {
				k.bg.Add(1)
				go tour(k, tourDir)
			}
		})
	}()
	closed := make(chan struct{})
	go func() { // quits the app on SIGINT/SIGTERM; ends with the window
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-closed:
		}
	}()
	w.ShowAndRun()
	close(closed)
	k.closed.Store(true) // from now on fyne.Do would run work inline: drop it
	k.cancel()
	<-loaded
	k.shutdown()
	if k.tourErr != nil {
		return k.tourErr
	}
	return nil
}

// tour, set only in a build with the screenshots tag (make screenshots,
// screenshot.go), drives the kiosk through its screens and writes PNGs.
// tourFromEnv says where, from the environment. The shipped kiosk has
// neither: no environment variable turns liveness off or creates an
// operator in it.
var (
	tour        func(k *window, dir string)
	tourFromEnv = func() string { return "" }
)

// runOptions are the kiosk's options for Run, and the directory of the
// screenshot tour ("" unless built with the screenshots tag and asked).
func runOptions() (windowOptions, string) {
	opt := windowOptions{ticker: true}
	dir := ""
	if tour != nil {
		dir = tourFromEnv()
	}
	if dir != "" {
		opt.tune = func(o *checkin.Options) { o.Liveness = checkin.LivenessOff } // a video of photos cannot blink
	}
	return opt, dir
}

// SetLanguage selects id or en. Fyne picks the language from the locale
// environment when translations are (re)loaded, so the environment is set
// first and the translations loaded after it.
func SetLanguage(code string) error {
	if code != "id" && code != "en" {
		return fmt.Errorf("unknown language %q (want id or en)", code)
	}
	if err := os.Setenv("LANGUAGE", code); err != nil {
		return err
	}
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	currentLanguage = code
	return nil
}
