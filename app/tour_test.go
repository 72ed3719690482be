package app

import (
	"testing"

	"github.com/hadir-id/hadir/kiosk"
)

// TestShippedKioskIgnoresScreenshotVariable: the kiosk built without the
// screenshots tag (what ships) neither runs the screenshot tour (which
// creates an admin with a known PIN) nor turns liveness off when
// HADIR_SCREENSHOT_DIR is set.
func TestShippedKioskIgnoresScreenshotVariable(t *testing.T) {
	t.Setenv("HADIR_SCREENSHOT_DIR", t.TempDir())
	if _, err := kiosk.ParseConfig(nil); err != nil {
		t.Fatal(err)
	}
	opt, dir := runOptions()
	if dir != "" || tour != nil {
		t.Fatalf("the default build runs the screenshot tour into %q", dir)
	}
	if opt.tune != nil {
		t.Fatal("the default build changes the check-in options (liveness) for HADIR_SCREENSHOT_DIR")
	}
}
