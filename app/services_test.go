package app

import (
	"context"
	"errors"
	hsync "github.com/hadir-id/hadir/sync"
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/hadir-id/hadir/kiosk"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// TestStartupProblemsAreExplained: missing models and a store held by
// another process become a screen, not a crash.
func TestStartupProblemsAreExplained(t *testing.T) {
	dir := t.TempDir()
	_, err := kiosk.OpenServices(context.Background(), dir, t.TempDir(), hsync.Options{})
	var se *kiosk.StartupError
	if !errors.As(err, &se) || se.Key != "problem.models_missing" || !errors.Is(err, recognition.ErrModelMissing) {
		t.Fatalf("no models: %v", err)
	}
	st := testStore(t, dir, time.Now) // the store is free again after the failed start
	defer st.Close()
	_, err = kiosk.OpenServices(context.Background(), dir, t.TempDir(), hsync.Options{})
	if !errors.As(err, &se) || se.Key != "problem.store_locked" || !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("store in use: %v", err)
	}
	env := newEnv(t, envOptions{})
	env.k.showProblem(err)
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
