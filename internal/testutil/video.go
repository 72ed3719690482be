package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Clip is one still image shown for Seconds in a test video (Image ""
// is an empty mid-gray scene: nobody in front of the camera). Height, when
// set, scales the image to that many pixels high (ORL's 92x112 faces are
// too small for a kiosk); otherwise it is fitted into the frame.
type Clip struct {
	Image   string
	Seconds float64
	Height  int
	// Crop, when set, is an ffmpeg crop applied first ("w:h:x:y").
	Crop string
}

// Video renders clips with ffmpeg into a 640x480 MJPEG AVI at fps, each
// image centred on mid-gray, and returns its path (in t.TempDir). Tests of
// the camera pipeline play it like a webcam.
func Video(t testing.TB, clips []Clip, fps int) string {
	t.Helper()
	return render(t, clips, fps, "video.avi", "-c:v", "mjpeg", "-q:v", "3")
}

// VideoMP4 is Video encoded as H.264 with a keyframe every half second,
// for publishing over RTSP (a joining reader starts at a keyframe).
func VideoMP4(t testing.TB, clips []Clip, fps int) string {
	t.Helper()
	return render(t, clips, fps, "video.mp4", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0",
		"-g", fmt.Sprint(max(1, fps/2)), "-pix_fmt", "yuv420p")
}

func render(t testing.TB, clips []Clip, fps int, name string, codec ...string) string {
	t.Helper()
	ffmpeg := Tool(t, "ffmpeg")
	dir := t.TempDir()
	var list strings.Builder
	for i, c := range clips {
		scale := "scale=640:480:force_original_aspect_ratio=decrease"
		if c.Height > 0 {
			scale = fmt.Sprintf("scale=-2:%d", c.Height)
		}
		if c.Crop != "" {
			scale = "crop=" + c.Crop + "," + scale
		}
		frame := filepath.Join(dir, fmt.Sprintf("f%03d.png", i))
		if c.Image == "" {
			run(t, ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=640x480", "-frames:v", "1", frame)
			fmt.Fprintf(&list, "file '%s'\nduration %.3f\n", frame, c.Seconds)
			continue
		}
		run(t, ffmpeg, "-loglevel", "error", "-y", "-i", c.Image, "-vf",
			scale+",format=rgb24,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=gray", "-frames:v", "1", frame)
		fmt.Fprintf(&list, "file '%s'\nduration %.3f\n", frame, c.Seconds)
	}
	// The concat demuxer ignores the last entry's duration unless the
	// file is listed once more.
	fmt.Fprintf(&list, "file '%s'\n", filepath.Join(dir, fmt.Sprintf("f%03d.png", len(clips)-1)))
	listFile := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	args := []string{"-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", listFile,
		"-vf", fmt.Sprintf("fps=%d,format=yuvj420p", fps)}
	args = append(append(args, codec...), out)
	run(t, ffmpeg, args...)
	return out
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}
