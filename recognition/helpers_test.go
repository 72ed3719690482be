package recognition

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/hadir-id/hadir/internal/testutil"
	xdraw "golang.org/x/image/draw"
)

var (
	engineOnce sync.Once
	sharedEng  *Engine
	engineErr  error
)

// testEngine returns one engine per test binary (loading models costs ~1 s).
func testEngine(t testing.TB) *Engine {
	t.Helper()
	dir := testutil.ModelsDir(t)
	engineOnce.Do(func() {
		opts := DefaultOptions()
		opts.Recognizers = 2
		sharedEng, engineErr = NewEngine(dir, opts)
	})
	if engineErr != nil {
		t.Fatalf("engine: %v", engineErr)
	}
	return sharedEng
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// photo is one dataset image with its detected faces.
type photo struct {
	person, file string
	faces        []Face
}

var (
	photoMu    sync.Mutex
	photoCache = map[string][]photo{}
)

// datasetPhotos detects the faces of every file matching glob (relative to
// the dataset) once per test binary, in parallel on the engine's pool,
// with HOG alone: the detector of the kiosk's frames, whose decisions the
// accuracy tests measure (the CNN fallback of still photos has its own
// test, and would cost seconds per photo HOG misses).
func datasetPhotos(t testing.TB, dataset, glob string) []photo {
	t.Helper()
	root := testutil.Dataset(t, dataset)
	e := testEngine(t)
	photoMu.Lock()
	defer photoMu.Unlock()
	key := dataset + "/" + glob
	if ps, ok := photoCache[key]; ok {
		return ps
	}
	files, err := filepath.Glob(filepath.Join(root, glob))
	if err != nil || len(files) == 0 {
		testutil.Missing(t, "no files match %s in %s", glob, root)
	}
	sort.Strings(files)
	ps := make([]photo, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	errs := make([]error, len(files))
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			data, err := os.ReadFile(f)
			if err == nil {
				ps[i].faces, err = e.DetectWith(context.Background(), data, HOG)
			}
			ps[i].person, ps[i].file, errs[i] = filepath.Base(filepath.Dir(f)), f, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", files[i], err)
		}
	}
	photoCache[key] = ps
	return ps
}

// fit640 letterboxes img into 640x480 and encodes it as JPEG, the size a
// kiosk camera delivers.
func fit640(t testing.TB, img image.Image) []byte {
	t.Helper()
	dst := image.NewRGBA(image.Rect(0, 0, 640, 480))
	b := img.Bounds()
	scale := min(640/float64(b.Dx()), 480/float64(b.Dy()))
	w, h := int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)
	r := image.Rect((640-w)/2, (480-h)/2, (640-w)/2+w, (480-h)/2+h)
	xdraw.CatmullRom.Scale(dst, r, img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeFile(t testing.TB, path string) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}
