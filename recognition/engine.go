package recognition

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	face "github.com/Kagami/go-face"
)

// Errors callers act on: a per-file reason in the CLI, a guidance message
// on the kiosk, a 4xx from the server's photo API.
var (
	ErrBadImage      = errors.New("unreadable image")
	ErrImageTooSmall = errors.New("image too small")
	ErrImageTooLarge = errors.New("image too large")
	ErrNoFace        = errors.New("no face found")
	ErrMultipleFaces = errors.New("more than one face")
	ErrLowQuality    = errors.New("face quality too low")
	ErrModelMissing  = errors.New("face model missing")
	ErrClosed        = errors.New("recognition engine closed")
)

// Detector selects dlib's face detector.
type Detector int

const (
	// HOG is dlib's frontal HOG detector: ~10-200 ms per image on a kiosk
	// CPU, misses faces under ~80 px and strongly turned faces.
	HOG Detector = iota
	// CNN is dlib's MMOD network: finds more faces (small, turned, dark) but
	// takes seconds per image on a CPU: for offline enrollment only.
	CNN
)

// ParseDetector maps "hog" or "cnn" to a Detector.
func ParseDetector(s string) (Detector, error) {
	switch s {
	case "hog", "":
		return HOG, nil
	case "cnn":
		return CNN, nil
	}
	return HOG, fmt.Errorf("unknown detector %q (want hog or cnn)", s)
}

func (d Detector) String() string {
	if d == CNN {
		return "cnn"
	}
	return "hog"
}

// ModelFiles are the files NewEngine needs in its model directory.
var ModelFiles = []string{
	"shape_predictor_5_face_landmarks.dat", // a link to dlib's 68-point predictor
	"dlib_face_recognition_resnet_model_v1.dat",
	"mmod_human_face_detector.dat",
}

// Options tune an Engine. Start from DefaultOptions.
type Options struct {
	// Detector is the default detector for Detect calls.
	Detector Detector
	// NoCNNFallback turns off the CNN retry of Detect and DetectImage on a
	// still photo where HOG found no face (see Detect). The zero value
	// keeps the fallback on.
	NoCNNFallback bool
	// Recognizers is the number of go-face recognizers in the pool. Each
	// holds its own copy of the models (~97 MiB with the 68-point
	// predictor, more while it works on large photos) and serialises its
	// work. On the 2-core reference machine a
	// second one does not pay: 29 ms per 640x480 frame with one, 38 ms per
	// frame with two callers in parallel (dlib's BLAS already uses both
	// cores; see BenchmarkDetectEncodeHOG640Parallel). More cores may differ.
	Recognizers int
	// MinDetectSide: images whose shorter side is below this are upscaled
	// by an integer factor before detection (ORL's 92x112 becomes 184x224).
	MinDetectSide int
	// MaxDetectSide: images whose longer side is above this are downscaled
	// before detection, bounding its time; 0 disables.
	MaxDetectSide int
	// MaxInputPixels refuses larger images before decoding them.
	MaxInputPixels int
}

// DefaultOptions suit a kiosk: HOG, one recognizer, phone photos up to
// 50 MP accepted and detected at up to 2048 px.
func DefaultOptions() Options {
	return Options{Detector: HOG, Recognizers: 1, MinDetectSide: 180, MaxDetectSide: 2048, MaxInputPixels: 50_000_000}
}

// Engine finds faces and computes their descriptors. It is safe for
// concurrent use: calls queue for a recognizer from the pool.
type Engine struct {
	opts Options
	pool chan *face.Recognizer
	all  []*face.Recognizer
	once sync.Once
}

// Face is one detected face, in input image coordinates.
type Face struct {
	Box        image.Rectangle
	Landmarks  []image.Point // 68 points (dlib's iBUG layout)
	Descriptor Descriptor
	Quality    Quality
}

// NewEngine loads the models from dir once per pooled recognizer.
func NewEngine(dir string, opts Options) (*Engine, error) {
	if err := CheckModels(dir); err != nil {
		return nil, err
	}
	if opts.Recognizers < 1 {
		opts.Recognizers = 1
	}
	e := &Engine{opts: opts, pool: make(chan *face.Recognizer, opts.Recognizers)}
	for i := 0; i < opts.Recognizers; i++ {
		rec, err := face.NewRecognizer(dir)
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("load face models from %s: %w", dir, err)
		}
		e.all = append(e.all, rec)
		e.pool <- rec
	}
	return e, nil
}

// CheckModels returns one clear error naming every model file missing from
// dir and how to get it.
func CheckModels(dir string) error {
	var missing []string
	for _, f := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %v not in %s: run `make models` (or set HADIR_MODELS to a folder holding them; the landmark file comes from Debian's libdlib-data)", ErrModelMissing, missing, dir)
}

// Close frees the models. Calls in flight finish first.
func (e *Engine) Close() {
	e.once.Do(func() {
		for range e.all {
			<-e.pool
		}
		for _, r := range e.all {
			r.Close()
		}
		close(e.pool)
	})
}

// Detect finds the faces in a still photo (JPEG, PNG or PGM bytes),
// largest first. With the default HOG detector, a photo where HOG finds no
// face is searched again with the CNN (MMOD) detector before the answer is
// "no face": an enrollment photo, a bulk import or the server's photo API
// can wait the second it costs (HOG misses small, turned and dark faces
// that MMOD finds). Camera frames go through DetectMat, which never falls
// back.
func (e *Engine) Detect(ctx context.Context, data []byte) ([]Face, error) {
	f, err := e.decodeBytes(data)
	if err != nil {
		return nil, err
	}
	return e.still(ctx, f)
}

// still runs the default detector and, on a HOG miss, the CNN. go-face
// loads the MMOD model with the others in every recognizer, so the
// fallback costs no extra load, only the detection itself.
func (e *Engine) still(ctx context.Context, f *frame) ([]Face, error) {
	faces, err := e.run(ctx, f, e.opts.Detector)
	if err != nil || len(faces) > 0 || e.opts.Detector == CNN || e.opts.NoCNNFallback {
		return faces, err
	}
	return e.run(ctx, f, CNN)
}

// DetectWith finds the faces with exactly the detector d: no fallback.
func (e *Engine) DetectWith(ctx context.Context, data []byte, d Detector) ([]Face, error) {
	f, err := e.decodeBytes(data)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, f, d)
}

// DetectImage finds the faces in a decoded still image, largest first,
// with Detect's CNN fallback.
func (e *Engine) DetectImage(ctx context.Context, img image.Image) ([]Face, error) {
	if img == nil {
		return nil, fmt.Errorf("%w: %v", ErrBadImage, errNoImage)
	}
	s := img.Bounds().Size()
	if err := e.checkSize(s.X, s.Y); err != nil {
		return nil, err
	}
	m, err := matOfImage(img)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	f, err := e.prepareMat(m, e.detectScale(s.X, s.Y))
	if err != nil {
		return nil, err
	}
	return e.still(ctx, f)
}

// run takes a recognizer from the pool (or gives up when ctx ends), runs
// go-face and maps the results back to input coordinates.
func (e *Engine) run(ctx context.Context, f *frame, d Detector) ([]Face, error) {
	var rec *face.Recognizer
	select {
	case rec = <-e.pool:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if rec == nil {
		return nil, ErrClosed
	}
	var raw []face.Face
	var err error
	if d == CNN {
		raw, err = rec.RecognizeCNN(f.jpeg)
	} else {
		raw, err = rec.Recognize(f.jpeg)
	}
	e.pool <- rec
	runtime.KeepAlive(f)
	if err != nil {
		var bad face.ImageLoadError
		if errors.As(err, &bad) {
			return nil, fmt.Errorf("%w: corrupt or truncated image (%v)", ErrBadImage, err)
		}
		return nil, fmt.Errorf("face engine failed (%s detector): %w", d, err)
	}
	faces := make([]Face, 0, len(raw))
	for _, r := range raw {
		faces = append(faces, Face{
			Box:        unscaleRect(f, r.Rectangle),
			Landmarks:  unscalePoints(f, r.Shapes),
			Descriptor: Descriptor(r.Descriptor),
			Quality:    measureQuality(f.gray, r.Rectangle, r.Shapes, f.scale),
		})
	}
	sort.SliceStable(faces, func(i, j int) bool { return area(faces[i].Box) > area(faces[j].Box) })
	return faces, nil
}

// Single returns the only face of faces, or ErrNoFace / ErrMultipleFaces.
func Single(faces []Face) (Face, error) {
	switch len(faces) {
	case 0:
		return Face{}, ErrNoFace
	case 1:
		return faces[0], nil
	}
	return Face{}, fmt.Errorf("%w: %d faces", ErrMultipleFaces, len(faces))
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

func unscaleRect(f *frame, r image.Rectangle) image.Rectangle {
	out := image.Rectangle{Min: f.toInput(r.Min), Max: f.toInput(r.Max)}
	return out.Intersect(image.Rectangle{Max: f.size})
}

func unscalePoints(f *frame, ps []image.Point) []image.Point {
	out := make([]image.Point, len(ps))
	for i, p := range ps {
		out[i] = f.toInput(p)
	}
	return out
}
