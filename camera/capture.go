package camera

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gocv.io/x/gocv"
)

// errEOF ends a file or folder pass; the reader loops or ends on it.
var errEOF = errors.New("end of file")

// capture is one open connection to a source. It is used by one goroutine
// at a time and closed exactly once.
type capture interface {
	// read decodes the next frame into m, reusing m's buffer when the size
	// is unchanged. It returns errEOF at the end of a file or folder and
	// ErrLost when a live source stops.
	read(m *gocv.Mat) error
	info() Info
	close()
}

// ffmpegEnv is the environment variable OpenCV's FFmpeg backend reads when
// it opens a URL or file.
const ffmpegEnv = "OPENCV_FFMPEG_CAPTURE_OPTIONS"

// ffmpegEnvMu serialises network opens that set ffmpegEnv: the variable is
// process-wide and read by OpenCV during the open.
var ffmpegEnvMu sync.Mutex

// openCapture opens spec once. The call blocks in C: devices and files
// answer in milliseconds, network streams within OpenTimeout (FFmpeg's
// socket timeout) once the options are in the environment.
func openCapture(spec Spec, opts Options) (capture, error) {
	switch spec.Kind {
	case KindFolder:
		return openFolder(spec, opts)
	case KindDevice:
		return openDevice(spec, opts)
	case KindNetwork:
		return openNetwork(spec, opts)
	case KindFile:
		if _, err := os.Stat(spec.Path); err != nil {
			return nil, fmt.Errorf("video file %s: %w", spec, ErrNotFound)
		}
		vc, err := gocv.VideoCaptureFileWithAPI(spec.Path, gocv.VideoCaptureFFmpeg)
		return newVideoCapture(spec, vc, err)
	}
	return nil, fmt.Errorf("source %s: %w", spec, ErrBadSpec)
}

func openDevice(spec Spec, opts Options) (capture, error) {
	if runtime.GOOS == "linux" {
		if _, err := os.Stat(spec.Path); err != nil {
			return nil, fmt.Errorf("camera device %s (%s): %w", spec, spec.Path, ErrNotFound)
		}
	}
	var (
		vc  *gocv.VideoCapture
		err error
	)
	switch {
	case spec.Index >= 0 && runtime.GOOS == "linux":
		vc, err = gocv.VideoCaptureDeviceWithAPI(spec.Index, gocv.VideoCaptureV4L2)
	case spec.Index >= 0:
		vc, err = gocv.VideoCaptureDevice(spec.Index)
	default:
		vc, err = gocv.VideoCaptureFileWithAPI(spec.Path, gocv.VideoCaptureV4L2)
	}
	if err == nil {
		if len(opts.FourCC) == 4 {
			vc.Set(gocv.VideoCaptureFOURCC, vc.ToCodec(opts.FourCC))
		}
		if opts.Width > 0 && opts.Height > 0 {
			vc.Set(gocv.VideoCaptureFrameWidth, float64(opts.Width))
			vc.Set(gocv.VideoCaptureFrameHeight, float64(opts.Height))
		}
		if opts.FPS > 0 {
			vc.Set(gocv.VideoCaptureFPS, opts.FPS)
		}
	}
	return newVideoCapture(spec, vc, err)
}

func openNetwork(spec Spec, opts Options) (capture, error) {
	env := ffmpegOptions(opts)
	if env == "" {
		vc, err := gocv.VideoCaptureFileWithAPI(spec.Path, gocv.VideoCaptureFFmpeg)
		return newVideoCapture(spec, vc, err)
	}
	ffmpegEnvMu.Lock()
	defer ffmpegEnvMu.Unlock()
	if os.Getenv(ffmpegEnv) != env {
		// os.Setenv reaches the C environment in a cgo binary.
		if err := os.Setenv(ffmpegEnv, env); err != nil {
			return nil, fmt.Errorf("set %s for %s: %w", ffmpegEnv, spec, err)
		}
	}
	vc, err := gocv.VideoCaptureFileWithAPI(spec.Path, gocv.VideoCaptureFFmpeg)
	return newVideoCapture(spec, vc, err)
}

// ffmpegOptions builds the OPENCV_FFMPEG_CAPTURE_OPTIONS value: the
// configured options plus FFmpeg's socket timeout in microseconds.
func ffmpegOptions(opts Options) string {
	env := strings.Trim(opts.FFmpegOptions, "|")
	if env == "" || opts.OpenTimeout <= 0 {
		return env
	}
	for _, kv := range strings.Split(env, "|") {
		if strings.HasPrefix(kv, "timeout;") {
			return env
		}
	}
	return env + "|timeout;" + strconv.FormatInt(opts.OpenTimeout.Microseconds(), 10)
}

// videoCapture is a gocv.VideoCapture (device, file or stream).
type videoCapture struct {
	vc   *gocv.VideoCapture
	kind Kind
	inf  Info
}

// newVideoCapture finishes an open: on failure it releases the C object
// gocv allocates even when the open fails (a leak on every retry
// otherwise).
func newVideoCapture(spec Spec, vc *gocv.VideoCapture, err error) (capture, error) {
	if err != nil || vc == nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return nil, fmt.Errorf("open %s %s: %w", spec.Kind, spec, ErrOpen)
	}
	c := &videoCapture{vc: vc, kind: spec.Kind}
	c.inf = Info{
		Width:  int(vc.Get(gocv.VideoCaptureFrameWidth)),
		Height: int(vc.Get(gocv.VideoCaptureFrameHeight)),
		FPS:    sane(vc.Get(gocv.VideoCaptureFPS)),
		Codec:  fourCC(vc.Get(gocv.VideoCaptureFOURCC)),
	}
	return c, nil
}

func (c *videoCapture) read(m *gocv.Mat) error {
	if c.vc.Read(m) && !m.Empty() {
		return nil
	}
	if c.kind == KindFile {
		return errEOF
	}
	return ErrLost
}

func (c *videoCapture) info() Info { return c.inf }
func (c *videoCapture) close()     { c.vc.Close() }

// sane maps NaN, infinities and absurd rates (some streams report 90000)
// to 0, "unknown".
func sane(fps float64) float64 {
	if math.IsNaN(fps) || fps <= 0 || fps > 1000 {
		return 0
	}
	return fps
}

// fourCC decodes a FOURCC property; "" when it is not four printable
// characters.
func fourCC(v float64) string {
	if math.IsNaN(v) || v <= 0 || v > math.MaxUint32 {
		return ""
	}
	n := uint32(v)
	b := []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return strings.TrimSpace(string(b))
}

// imageExts are the still-image files a folder source plays.
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".bmp": true, ".webp": true,
	".pgm": true, ".ppm": true, ".pnm": true, ".tif": true, ".tiff": true,
}

// folderCapture plays the images of a directory in name order. The list
// is read at each open, so a looping folder picks up new files.
type folderCapture struct {
	files []string
	next  int
	inf   Info
}

func openFolder(spec Spec, opts Options) (capture, error) {
	ents, err := os.ReadDir(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("image folder %s: %w", spec, ErrNotFound)
	}
	var files []string
	for _, e := range ents {
		if e.Type().IsRegular() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			files = append(files, filepath.Join(spec.Path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("image folder %s: no image files: %w", spec, ErrNoFrames)
	}
	sort.Strings(files)
	fps := opts.FPS
	if fps <= 0 {
		fps = 10
	}
	return &folderCapture{files: files, inf: Info{FPS: fps, Codec: "image"}}, nil
}

func (c *folderCapture) read(m *gocv.Mat) error {
	for c.next < len(c.files) {
		img := gocv.IMRead(c.files[c.next], gocv.IMReadColor)
		c.next++
		if img.Empty() { // not an image after all: skip it
			img.Close()
			continue
		}
		img.CopyTo(m)
		img.Close()
		if c.inf.Width == 0 {
			c.inf.Width, c.inf.Height = m.Cols(), m.Rows()
		}
		return nil
	}
	return errEOF
}

func (c *folderCapture) info() Info { return c.inf }
func (c *folderCapture) close()     {}
