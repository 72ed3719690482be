package camera

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec  string
		kind  Kind
		index int
		path  string
		shown string
	}{
		{"0", KindDevice, 0, "/dev/video0", "0"},
		{" 2 ", KindDevice, 2, "/dev/video2", " 2 "},
		{"/dev/video2", KindDevice, -1, "/dev/video2", "/dev/video2"},
		{"/dev/v4l/by-id/usb-cam-video-index0", KindDevice, -1, "/dev/v4l/by-id/usb-cam-video-index0", "/dev/v4l/by-id/usb-cam-video-index0"},
		{"rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101", KindNetwork, -1,
			"rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101", "rtsp://admin:xxxxx@10.0.0.5:554/Streaming/Channels/101"},
		{"RTSP://cam/live", KindNetwork, -1, "RTSP://cam/live", "rtsp://cam/live"},
		{"http://10.0.0.7/video.mjpg", KindNetwork, -1, "http://10.0.0.7/video.mjpg", "http://10.0.0.7/video.mjpg"},
		{"https://cctv.example.go.id/live/index.m3u8", KindNetwork, -1, "https://cctv.example.go.id/live/index.m3u8", "https://cctv.example.go.id/live/index.m3u8"},
		{file, KindFile, -1, file, file},
		{"file://" + file, KindFile, -1, file, "file://" + file},
		{filepath.Join(dir, "missing.mp4"), KindFile, -1, filepath.Join(dir, "missing.mp4"), filepath.Join(dir, "missing.mp4")},
		{dir, KindFolder, -1, dir, dir},
		{dir + "/", KindFolder, -1, dir, dir + "/"},
	}
	for _, c := range cases {
		got, err := ParseSpec(c.spec)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", c.spec, err)
			continue
		}
		if got.Kind != c.kind || got.Index != c.index || got.Path != c.path || got.String() != c.shown {
			t.Errorf("ParseSpec(%q) = %+v (shown %q), want kind %v index %d path %q shown %q",
				c.spec, got, got.String(), c.kind, c.index, c.path, c.shown)
		}
	}
	for _, bad := range []string{"", "  ", "-3", "ftp://h/x", "rtsp://", "rtsp:///path", "file://"} {
		if _, err := ParseSpec(bad); !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseSpec(%q) = %v, want ErrBadSpec", bad, err)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	ms := time.Millisecond
	b := Backoff{Min: 100 * ms, Max: time.Second, Factor: 2, Jitter: 0.5}
	cases := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0, 100 * ms},
		{2, 0, 200 * ms},
		{4, 0, 800 * ms},
		{5, 0, time.Second},   // capped
		{500, 0, time.Second}, // no overflow
		{0, 0, 100 * ms},      // treated as the first
		{1, 0.999999, 50 * ms},
		{5, 0.5, 750 * ms},
		{3, 7, 200 * ms}, // r clamped to 1
	}
	for _, c := range cases {
		if got := b.Delay(c.attempt, c.r); got.Round(ms) != c.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", c.attempt, c.r, got, c.want)
		}
	}
	if got := (Backoff{}).Delay(1, 0); got != 500*ms {
		t.Errorf("zero Backoff Delay(1) = %v, want the default 500ms", got)
	}
	if got := (Backoff{}).Delay(100, 0); got != 30*time.Second {
		t.Errorf("zero Backoff Delay(100) = %v, want the default cap 30s", got)
	}
}

func TestFFmpegOptions(t *testing.T) {
	cases := []struct {
		opts string
		to   time.Duration
		want string
	}{
		{"rtsp_transport;tcp", 3 * time.Second, "rtsp_transport;tcp|timeout;3000000"},
		{"rtsp_transport;tcp|timeout;5000000", 3 * time.Second, "rtsp_transport;tcp|timeout;5000000"},
		{"rtsp_transport;tcp|", 0, "rtsp_transport;tcp"},
		{"", 3 * time.Second, ""},
	}
	for _, c := range cases {
		if got := ffmpegOptions(Options{FFmpegOptions: c.opts, OpenTimeout: c.to}); got != c.want {
			t.Errorf("ffmpegOptions(%q, %v) = %q, want %q", c.opts, c.to, got, c.want)
		}
	}
}

func TestFourCC(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{float64('a' | 'v'<<8 | 'c'<<16 | '1'<<24), "avc1"},
		{float64('M' | 'J'<<8 | 'P'<<16 | 'G'<<24), "MJPG"},
		{0, ""},
		{-1, ""},
		{float64(0x01020304), ""},
	}
	for _, c := range cases {
		if got := fourCC(c.v); got != c.want {
			t.Errorf("fourCC(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
