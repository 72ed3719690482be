package app

import (
	"fmt"
	"image"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/storage"
)

// TestStartupProblemsAreExplained: a startup problem (here a store held
// by another process; kiosk.TestStartupProblemsHaveKeys checks the keys)
// becomes a screen, not a crash.
func TestStartupProblemsAreExplained(t *testing.T) {
	env := newEnv(t, envOptions{})
	env.k.showProblem(&kiosk.StartupError{Key: "problem.store_locked", Err: fmt.Errorf("open store: %w", storage.ErrLocked)})
	if findButton(env.w.Content(), tr("kiosk.quit")) == nil {
		t.Error("problem screen has no quit button")
	}
	seen := map[string]bool{}
	visibleTexts(env.w.Content(), seen)
	if !seen[tr("problem.store_locked.title")] {
		t.Errorf("problem screen lacks its title: %v", seen)
	}
}

// TestFaceBoxIsMirroredAndScaled checks the overlay maths: the preview is
// mirrored, so a face on the frame's left is drawn on the right.
func TestFaceBoxIsMirroredAndScaled(t *testing.T) {
	p := newPreview()
	p.root.Resize(fyne.NewSize(1280, 960))
	p.setBox(image.Rect(100, 50, 200, 150), image.Pt(640, 480), colGood)
	if got, want := p.box.Position(), fyne.NewPos(880, 100); got != want {
		t.Errorf("box at %v, want %v", got, want)
	}
	if got, want := p.box.Size(), fyne.NewSize(200, 200); got != want {
		t.Errorf("box size %v, want %v", got, want)
	}
	p.root.Resize(fyne.NewSize(1280, 480)) // letterboxed: scale 1, centred
	if got, want := p.box.Position(), fyne.NewPos(320+440, 50); got != want {
		t.Errorf("letterboxed box at %v, want %v", got, want)
	}
	p.setBox(image.Rectangle{}, image.Pt(640, 480), colGood)
	if p.box.Visible() {
		t.Error("empty box shown")
	}
}
