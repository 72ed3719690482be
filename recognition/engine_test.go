package recognition

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hadir-id/hadir/internal/testutil"
	"gocv.io/x/gocv"
	xdraw "golang.org/x/image/draw"
)

func TestGroupPhotoFindsAllTenFaces(t *testing.T) {
	e := testEngine(t)
	path := filepath.Join(testutil.Dataset(t, "idols"), "_groups", "pristin.jpg")
	img := decodeFile(t, path)
	faces, err := e.Detect(context.Background(), readFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 10 {
		t.Fatalf("found %d faces in pristin.jpg, want 10", len(faces))
	}
	for i, f := range faces {
		if len(f.Landmarks) != 68 {
			t.Errorf("face %d: %d landmarks, want 68", i, len(f.Landmarks))
		}
		if !f.Box.In(img.Bounds()) || f.Box.Empty() {
			t.Errorf("face %d: box %v outside image %v", i, f.Box, img.Bounds())
		}
		if i > 0 && area(f.Box) > area(faces[i-1].Box) {
			t.Errorf("faces not sorted largest first at %d", i)
		}
	}
	if _, err := Single(faces); !errors.Is(err, ErrMultipleFaces) {
		t.Errorf("Single on 10 faces: %v, want ErrMultipleFaces", err)
	}
}

func TestBadInputIsAClearError(t *testing.T) {
	e := testEngine(t)
	good := readFile(t, filepath.Join(testutil.Dataset(t, "idols"), "bona", "bona.jpg"))
	tiny := new(bytes.Buffer)
	png.Encode(tiny, image.NewGray(image.Rect(0, 0, 1, 1)))
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrBadImage},
		{"text", []byte("hello, this is not an image at all"), ErrBadImage},
		{"truncated jpeg", good[:len(good)/2], ErrBadImage},
		{"1x1 png", tiny.Bytes(), ErrImageTooSmall},
		{"20000x20000 png", hugePNGHeader(20000, 20000), ErrImageTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			faces, err := e.Detect(context.Background(), c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("got faces=%d err=%v, want %v", len(faces), err, c.want)
			}
		})
	}
}

// hugePNGHeader is a PNG signature and IHDR claiming w x h: enough for a
// decoder to learn the size, with no pixel data behind it.
func hugePNGHeader(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()[:33] // signature (8) + IHDR chunk (25)
	be := func(off, v int) { b[off], b[off+1], b[off+2], b[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	be(16, w)
	be(20, h)
	be(29, int(crc32.ChecksumIEEE(b[12:29])))
	return b
}

func TestGrayJPEGAndNoFace(t *testing.T) {
	e := testEngine(t)
	orl := decodeFile(t, filepath.Join(testutil.Dataset(t, "orl"), "s1", "1.pgm"))
	var buf bytes.Buffer
	jpeg.Encode(&buf, orl, &jpeg.Options{Quality: 95}) // 1-component JPEG: go-face alone refuses it
	faces, err := e.Detect(context.Background(), buf.Bytes())
	if err != nil || len(faces) != 1 {
		t.Fatalf("gray JPEG: %d faces, err %v; want 1 face", len(faces), err)
	}
	flat := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(flat, flat.Rect, image.NewUniform(color.RGBA{90, 120, 150, 255}), image.Point{}, draw.Src)
	faces, err = e.DetectImage(context.Background(), flat)
	if err != nil || len(faces) != 0 {
		t.Fatalf("flat image: %d faces, err %v; want none", len(faces), err)
	}
	if _, err := Single(faces); !errors.Is(err, ErrNoFace) {
		t.Errorf("Single on none: %v, want ErrNoFace", err)
	}
}

func TestQualityReportTracksTheImage(t *testing.T) {
	e := testEngine(t)
	idols := testutil.Dataset(t, "idols")
	img := decodeFile(t, filepath.Join(idols, "chaeyeon", "chaeyeon.jpg")) // frontal
	detect := func(im image.Image) Quality {
		t.Helper()
		f, err := e.DetectImage(context.Background(), im)
		if err != nil {
			t.Fatal(err)
		}
		one, err := Single(f)
		if err != nil {
			t.Fatal(err)
		}
		return one.Quality
	}
	q := detect(img)
	if q.FaceWidth < 80 || q.Brightness < 30 || q.Brightness > 230 || q.Sharpness <= 0 {
		t.Errorf("implausible quality for a portrait: %+v", q)
	}
	if q.Yaw < -25 || q.Yaw > 25 || q.EyeOpenness < 0.15 || q.EyeOpenness > 0.5 {
		t.Errorf("portrait should be frontal with open eyes: %+v", q)
	}
	if err := DefaultQualityLimits().Check(q); err != nil {
		t.Errorf("portrait refused: %v", err)
	}
	if turned := detect(decodeFile(t, filepath.Join(idols, "jimin", "jimin5.jpg"))); turned.Yaw < q.Yaw+15 {
		t.Errorf("three-quarter view yaw %.1f not well above frontal %.1f", turned.Yaw, q.Yaw)
	}

	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/6, b.Dy()/6))
	xdraw.ApproxBiLinear.Scale(small, small.Rect, img, b, draw.Src, nil)
	blurred := image.NewRGBA(b)
	xdraw.ApproxBiLinear.Scale(blurred, b, small, small.Rect, draw.Src, nil)
	if qb := detect(blurred); qb.Sharpness >= q.Sharpness/2 {
		t.Errorf("blurred sharpness %.1f not well below original %.1f", qb.Sharpness, q.Sharpness)
	}

	dark := image.NewRGBA(b)
	draw.Draw(dark, b, img, b.Min, draw.Src)
	for i := range dark.Pix {
		if i%4 != 3 {
			dark.Pix[i] /= 2
		}
	}
	if qd := detect(dark); qd.Brightness >= q.Brightness*0.7 {
		t.Errorf("darkened brightness %.0f not below original %.0f", qd.Brightness, q.Brightness)
	}
}

func TestDetectMatAgreesWithBytes(t *testing.T) {
	e := testEngine(t)
	data := fit640(t, decodeFile(t, filepath.Join(testutil.Dataset(t, "idols"), "bona", "bona2.jpg")))
	fromBytes, err := e.Detect(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fromMat, err := e.DetectMat(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := Single(fromBytes)
	b, err2 := Single(fromMat)
	if err1 != nil || err2 != nil {
		t.Fatalf("want one face on both paths: %v / %v", err1, err2)
	}
	if d := Distance(a.Descriptor, b.Descriptor); d > 0.05 {
		t.Errorf("Mat and JPEG paths disagree: distance %.3f", d)
	}
	if _, err := e.DetectMat(context.Background(), gocv.NewMat()); !errors.Is(err, ErrBadImage) {
		t.Errorf("empty Mat: %v, want ErrBadImage", err)
	}
}

func TestConcurrentCallersGetTheSameAnswer(t *testing.T) {
	e := testEngine(t)
	data := readFile(t, filepath.Join(testutil.Dataset(t, "idols"), "tzuyu", "tzuyu.jpg"))
	ref, err := e.Detect(context.Background(), data)
	if err != nil || len(ref) != 1 {
		t.Fatalf("reference: %d faces, %v", len(ref), err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := e.Detect(context.Background(), data)
			if err == nil && (len(f) != 1 || f[0].Descriptor != ref[0].Descriptor) {
				err = errors.New("different result under concurrency")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestMissingModelsNameTheFile(t *testing.T) {
	_, err := NewEngine(t.TempDir(), DefaultOptions())
	if !errors.Is(err, ErrModelMissing) {
		t.Fatalf("got %v, want ErrModelMissing", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("dlib_face_recognition_resnet_model_v1.dat")) {
		t.Errorf("error does not name the missing file: %v", err)
	}
}

// TestStillPhotoFallsBackToCNN: HOG misses jimin3 (the dataset README says
// so); Detect, the still-photo path of enroll, identify, embed, the bulk
// import and the server's photo API, finds it through the CNN.
func TestStillPhotoFallsBackToCNN(t *testing.T) {
	e := testEngine(t)
	path := filepath.Join(testutil.Dataset(t, "idols"), "jimin", "jimin3.jpg")
	hog, err := e.DetectWith(context.Background(), readFile(t, path), HOG)
	if err != nil || len(hog) != 0 {
		t.Fatalf("HOG: %d faces, %v; the dataset README says HOG misses this photo", len(hog), err)
	}
	faces, err := e.Detect(context.Background(), readFile(t, path))
	if err != nil || len(faces) != 1 || len(faces[0].Landmarks) != 68 || faces[0].Quality.FaceWidth < 80 {
		t.Fatalf("Detect with the CNN fallback: %d faces, %v; want 1 with 68 landmarks", len(faces), err)
	}
}

// TestNoCNNFallbackOption: with the fallback off, Detect answers what HOG
// found (nothing on jimin3), as DetectWith(HOG) does.
func TestNoCNNFallbackOption(t *testing.T) {
	opts := DefaultOptions()
	opts.NoCNNFallback = true
	e, err := NewEngine(testutil.ModelsDir(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	data := readFile(t, filepath.Join(testutil.Dataset(t, "idols"), "jimin", "jimin3.jpg"))
	if f, err := e.Detect(context.Background(), data); err != nil || len(f) != 0 {
		t.Fatalf("NoCNNFallback: %d faces, %v; want none", len(f), err)
	}
}
