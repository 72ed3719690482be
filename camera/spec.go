package camera

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind classifies a source spec, because each kind fails and recovers
// differently: devices and network streams come back after a cable or a
// server returns, a file or a folder does not.
type Kind int

// The kinds of source a spec can name.
const (
	KindDevice  Kind = iota + 1 // a V4L2 index ("0") or a device node ("/dev/video2")
	KindNetwork                 // rtsp://, rtsps://, http://, https://
	KindFile                    // a video file read through FFmpeg
	KindFolder                  // a directory of still images, played in name order
)

// String names the kind for logs and the probe output.
func (k Kind) String() string {
	switch k {
	case KindDevice:
		return "device"
	case KindNetwork:
		return "network"
	case KindFile:
		return "file"
	case KindFolder:
		return "folder"
	}
	return "unknown"
}

// Live reports whether the kind is a live feed that is reconnected after a
// failure, as opposed to recorded material that simply ends.
func (k Kind) Live() bool { return k == KindDevice || k == KindNetwork }

// Spec is a parsed source: what the kiosk configuration or the command
// line said, classified once so the reader does not guess again on every
// reconnect.
type Spec struct {
	Kind  Kind
	Raw   string // the spec as given (may hold credentials: never log it, use String)
	Index int    // device index for "0"-style specs, -1 otherwise
	Path  string // device node, file or folder path; the URL for network specs
}

// String returns the spec safe for logs and status lines: the password of a
// network URL (CCTV cameras are usually rtsp://user:pass@host/...) is
// replaced by "xxxxx".
func (s Spec) String() string {
	if s.Kind == KindNetwork {
		if u, err := url.Parse(s.Path); err == nil {
			return u.Redacted()
		}
	}
	return s.Raw
}

// networkSchemes are the URL schemes handed to OpenCV's FFmpeg backend.
var networkSchemes = map[string]bool{
	"rtsp": true, "rtsps": true, "http": true, "https": true,
	"rtmp": true, "rtmps": true, "udp": true, "tcp": true, "srt": true,
}

// ParseSpec classifies a source spec: "0" (device index), "/dev/video2" or
// any other path under /dev (device node, including stable
// /dev/v4l/by-id links), "rtsp://..." or "http(s)://..." (network stream),
// "file://..." or a path to a video file, or a path to a directory of
// images. It only stats the path to tell a folder from a file; whether the
// source can be opened is found out (and reported) by Open.
func ParseSpec(spec string) (Spec, error) {
	raw := spec
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Spec{}, fmt.Errorf("empty source spec: %w", ErrBadSpec)
	}
	if n, err := strconv.Atoi(spec); err == nil {
		if n < 0 {
			return Spec{}, fmt.Errorf("device index %d: %w", n, ErrBadSpec)
		}
		return Spec{Kind: KindDevice, Raw: raw, Index: n, Path: devicePath(n)}, nil
	}
	if i := strings.Index(spec, "://"); i > 0 {
		scheme := strings.ToLower(spec[:i])
		if scheme == "file" {
			u, err := url.Parse(spec)
			if err != nil || u.Path == "" {
				return Spec{}, fmt.Errorf("file url %q: %w", spec, ErrBadSpec)
			}
			return classifyPath(raw, u.Path), nil
		}
		if !networkSchemes[scheme] {
			return Spec{}, fmt.Errorf("source %q: unsupported scheme %q: %w", redact(spec), scheme, ErrBadSpec)
		}
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			return Spec{}, fmt.Errorf("source %q: no host: %w", redact(spec), ErrBadSpec)
		}
		return Spec{Kind: KindNetwork, Raw: raw, Index: -1, Path: spec}, nil
	}
	if strings.HasPrefix(spec, "/dev/") {
		return Spec{Kind: KindDevice, Raw: raw, Index: -1, Path: spec}, nil
	}
	return classifyPath(raw, spec), nil
}

// classifyPath tells a folder from a file; a path that does not exist is a
// file, so that opening it reports "not found" rather than a parse error.
func classifyPath(raw, p string) Spec {
	p = filepath.Clean(p)
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return Spec{Kind: KindFolder, Raw: raw, Index: -1, Path: p}
	}
	return Spec{Kind: KindFile, Raw: raw, Index: -1, Path: p}
}

// devicePath is the V4L2 node behind an index on Linux.
func devicePath(n int) string { return "/dev/video" + strconv.Itoa(n) }

// redact hides a password in a string that may be a URL.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}
