// Package app is the kiosk's Fyne GUI. It only displays what the check-in
// pipeline reports and calls its operations; it never touches the network
// or the store directly, and other goroutines reach widgets only through
// fyne.Do.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/assets"
)

// ErrNoDisplay is returned when there is no graphical session to open the
// kiosk window in.
var ErrNoDisplay = errors.New("no display: the kiosk needs a graphical session (set DISPLAY or WAYLAND_DISPLAY); the command-line tools work without one: hadir help")

// Run starts the kiosk window and blocks until it is closed or ctx ends.
func Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hadir", flag.ContinueOnError)
	language := fs.String("lang", envOr("HADIR_LANG", "id"), "interface language: id (Bahasa Indonesia) or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	if err := SetLanguage(*language); err != nil {
		return err
	}
	a := fyneapp.NewWithID("id.hadir.kiosk")
	w := NewKioskWindow(a)
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
	return nil
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
	return nil
}

// NewKioskWindow builds the check-in screen. Until the camera pipeline is
// wired in it shows the clock and what the operator must set up.
func NewKioskWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(lang.X("kiosk.title", "Hadir"))
	clock := widget.NewLabel("")
	clock.TextStyle.Bold = true
	tick := func() { clock.SetText(time.Now().Format("15:04:05  02-01-2006")) }
	tick()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fyne.Do(tick)
			case <-stop:
				return
			}
		}
	}()
	w.SetOnClosed(func() { close(stop) })
	w.SetContent(container.NewVBox(
		widget.NewLabelWithStyle(lang.X("kiosk.welcome", "Welcome"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		clock,
		widget.NewLabel(lang.X("kiosk.not_ready", "Kiosk not ready")),
		widget.NewLabel(lang.X("kiosk.enroll_hint", "")),
		widget.NewButton(lang.X("kiosk.quit", "Quit"), a.Quit),
	))
	w.Resize(fyne.NewSize(1280, 800))
	return w
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
