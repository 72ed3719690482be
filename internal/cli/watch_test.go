package cli

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hadir-id/hadir/internal/testutil"
)

// `hadir watch` on a video file: one sighting for the enrolled person and
// one for the stranger, however many frames show them; exits 0 at the end.
func TestWatchCommand(t *testing.T) {
	testutil.ModelsDir(t)
	orl := testutil.Dataset(t, "orl")
	data := t.TempDir()
	var files []string
	for k := 1; k <= 3; k++ {
		files = append(files, filepath.Join(orl, "s5", fmt.Sprintf("%d.pgm", k)))
	}
	if code, _, stderr := run(t, append([]string{"enroll", "--data", data, "--id", nip(5), "--name", "Lima"}, files...)...); code != 0 {
		t.Fatalf("enroll: exit %d: %s", code, stderr)
	}
	var clips []testutil.Clip
	for _, c := range []struct{ s, k int }{{5, 4}, {5, 5}, {33, 1}, {33, 2}, {5, 6}} {
		clips = append(clips, testutil.Clip{Image: filepath.Join(orl, fmt.Sprintf("s%d", c.s), fmt.Sprintf("%d.pgm", c.k)), Seconds: 0.6, Height: 336})
	}
	video := testutil.Video(t, clips, 15)

	if code, _, _ := run(t, "watch", "--data", data); code != 2 {
		t.Errorf("watch without --source: exit %d, want 2", code)
	}
	code, lines, stderr := run(t, "watch", "--source", video, "--data", data, "--interval", "1h")
	if code != 0 {
		t.Fatalf("watch: exit %d: %s", code, stderr)
	}
	var known, unknown int
	for _, l := range lines {
		if l["event_id"] == "" {
			t.Errorf("sighting without an event: %v", l)
		}
		switch {
		case l["known"] == true && l["nip"] == nip(5) && l["name"] == "Lima":
			known++
		case l["known"] == false:
			unknown++
		default:
			t.Errorf("unexpected sighting %v", l)
		}
	}
	if known != 1 || unknown != 1 {
		t.Fatalf("sightings %v: want one known and one unknown", lines)
	}
}
