package storetest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/server"
)

var _ = register("PhotoAPI", testPhotoAPI)

var (
	facesOnce sync.Once
	faces     *server.FaceEngine
)

// sharedFaces is one lazily loaded engine for every test server (~170 MB).
func sharedFaces(t testing.TB) *server.FaceEngine {
	dir := testutil.ModelsDir(t)
	facesOnce.Do(func() { faces = server.NewFaceEngine(dir) })
	return faces
}

// Photo is a file for a multipart upload.
type Photo struct {
	Name string
	Data []byte
}

// Upload posts fields and photos as multipart/form-data.
func (e *Env) Upload(path, token string, fields map[string]string, photos ...Photo) Resp {
	e.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, p := range photos {
		w, err := mw.CreateFormFile("photo", p.Name)
		if err != nil {
			e.T.Fatal(err)
		}
		w.Write(p.Data)
	}
	mw.Close()
	return e.DoType("POST", path, token, mw.FormDataContentType(), body.Bytes())
}

func readPhoto(t *testing.T, dir, name string) Photo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return Photo{Name: filepath.Base(name), Data: b}
}

func encode(t *testing.T, img image.Image, asPNG bool) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 92})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// shrink scales img down to at most side pixels wide.
func shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	if b.Dx() <= side {
		return img
	}
	dst := image.NewRGBA(image.Rect(0, 0, side, b.Dy()*side/b.Dx()))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// twoFaces crops the group photo to a region holding exactly two faces,
// checked with the engine itself.
func twoFaces(t *testing.T, group []byte) []byte {
	t.Helper()
	eng, err := recognition.NewEngine(testutil.ModelsDir(t), recognition.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	fs, err := eng.Detect(context.Background(), group)
	if err != nil || len(fs) < 3 {
		t.Fatalf("group photo: %d faces, %v", len(fs), err)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Box.Min.X < fs[j].Box.Min.X })
	img := decode(t, group)
	for i := 0; i+1 < len(fs); i++ {
		u := fs[i].Box.Union(fs[i+1].Box)
		pad := u.Dy() / 3
		crop := image.Rect(u.Min.X-pad, u.Min.Y-pad, u.Max.X+pad, u.Max.Y+pad).Intersect(img.Bounds())
		others := 0
		for j, f := range fs {
			c := image.Pt((f.Box.Min.X+f.Box.Max.X)/2, (f.Box.Min.Y+f.Box.Max.Y)/2)
			if j != i && j != i+1 && c.In(crop.Inset(-pad)) {
				others++
			}
		}
		if others > 0 {
			continue
		}
		dst := image.NewRGBA(image.Rect(0, 0, crop.Dx(), crop.Dy()))
		draw.Draw(dst, dst.Bounds(), img, crop.Min, draw.Src)
		out := encode(t, dst, false)
		if got, err := eng.Detect(context.Background(), out); err == nil && len(got) == 2 {
			return out
		}
	}
	t.Fatal("no two-face crop of the group photo found")
	return nil
}

func testPhotoAPI(t *testing.T, b Backend) {
	fe := sharedFaces(t)
	idols := testutil.Dataset(t, "idols")
	e := Start(t, b, func(c *server.Config) { c.Faces = fe })
	op := e.As("op", server.RoleOperator, "DINKES")
	fields := func(nip int, name string) map[string]string {
		return map[string]string{"nip": NIP(nip), "name": name, "unit": "DINKES"}
	}
	// Register from two photos, identify from a third.
	r := e.Upload("/api/v1/faces/register", op, fields(1, "Bona"), readPhoto(t, idols, "bona/bona.jpg"), readPhoto(t, idols, "bona/bona2.jpg"))
	e.Want(r, 200, "")
	checkStamp(t, r)
	if tp := r.JSON["templates"].([]any); len(tp) != 2 || tp[0].(map[string]any)["format"] != "jpeg" {
		t.Fatalf("register response %s", r.Raw)
	}
	e.Want(e.Upload("/api/v1/faces/register", op, fields(2, "Jimin"), readPhoto(t, idols, "jimin/jimin.jpg")), 200, "")
	r = e.Upload("/api/v1/faces/identify", op, nil, readPhoto(t, idols, "bona/bona3.jpg"))
	e.Want(r, 200, "")
	if r.JSON["accepted"] != true || r.JSON["employee"].(map[string]any)["nip"] != NIP(1) {
		t.Errorf("identify bona3: %s", r.Raw)
	}
	r = e.Upload("/api/v1/faces/identify", op, nil, readPhoto(t, idols, "joy/joy.jpg"))
	e.Want(r, 200, "")
	if r.JSON["accepted"] != false || r.Str("reason") == "" {
		t.Errorf("a stranger was identified: %s", r.Raw)
	}
	// The kiosks get the photo-registered employee (never the photo).
	d := e.Register("K1", "DINKES")
	changes, _ := pull(t, e, d.Token, 0, 500)
	if len(changes) != 2 || len(changes[0]["templates"].([]any)) != 2 {
		t.Errorf("roster after photo registration: %d changes", len(changes))
	}
	// A PNG named .jpg is a PNG: accepted by content.
	asPNG := encode(t, shrink(decode(t, readPhoto(t, idols, "bona/bona3.jpg").Data), 800), true)
	r = e.Upload("/api/v1/faces/identify", op, nil, Photo{"bona3.jpg", asPNG})
	e.Want(r, 200, "")
	if r.Str("format") != "png" || r.JSON["accepted"] != true {
		t.Errorf("png renamed .jpg: %s", r.Raw)
	}

	group := readPhoto(t, idols, "_groups/pristin.jpg").Data
	blank := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(blank, blank.Bounds(), &image.Uniform{color.RGBA{200, 180, 160, 255}}, image.Point{}, draw.Src)
	joy := readPhoto(t, idols, "joy/joy.jpg").Data
	big := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 9<<20)...)
	for _, tc := range []struct {
		name   string
		photo  Photo
		status int
		code   string
	}{
		{"no face", Photo{"wall.jpg", encode(t, blank, false)}, 422, "no_face"},
		{"two faces", Photo{"two.jpg", twoFaces(t, group)}, 422, "multiple_faces"},
		{"ten faces", Photo{"pristin.jpg", group}, 422, "multiple_faces"},
		{"text named .jpg", Photo{"notes.jpg", []byte("this is not a photo, just text\n")}, 415, "unsupported_format"},
		{"truncated jpeg", Photo{"cut.jpg", joy[:len(joy)/2]}, 422, "undecodable_image"},
		{"empty", Photo{"empty.jpg", nil}, 400, "empty_image"},
		{"oversized", Photo{"huge.jpg", big}, 413, "image_too_large"},
		{"tiny", Photo{"tiny.png", encode(t, image.NewGray(image.Rect(0, 0, 8, 8)), true)}, 422, "image_too_small"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Upload("/api/v1/faces/register", op, fields(3, "Nobody"), tc.photo)
			e.Want(r, tc.status, tc.code)
			checkStamp(t, r)
			if !strings.Contains(r.Str("message"), tc.photo.Name) {
				t.Errorf("message %q does not name the file", r.Str("message"))
			}
			if want := map[string]float64{"two faces": 2, "ten faces": 10, "no face": 0}; tc.code != "" {
				if n, ok := want[tc.name]; ok && r.JSON["faces"] != n {
					t.Errorf("faces = %v, want %v", r.JSON["faces"], n)
				}
			}
			r = e.Upload("/api/v1/faces/identify", op, nil, tc.photo)
			e.Want(r, tc.status, tc.code)
		})
	}
	// A good photo with a bad one: nothing is written.
	e.Want(e.Upload("/api/v1/faces/register", op, fields(3, "Nobody"), readPhoto(t, idols, "luda/luda.jpg"), Photo{"x.jpg", []byte("text")}), 415, "unsupported_format")
	if _, _, err := e.Store.Employee(context.Background(), NIP(3)); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("a refused registration wrote the employee: %v", err)
	}
	// The same face under another NIP (a photo of the same sitting).
	r = e.Upload("/api/v1/faces/register", op, fields(4, "Bona Again"), Photo{"bona-again.png", asPNG})
	e.Want(r, 409, "duplicate_face")
	if r.Str("conflict_nip") != NIP(1) {
		t.Errorf("duplicate conflict %s", r.Raw)
	}
	// Form problems.
	e.Want(e.Upload("/api/v1/faces/register", op, fields(5, "No Photo")), 400, "bad_request")
	e.Want(e.Upload("/api/v1/faces/register", op, map[string]string{"nip": "1", "name": "x", "unit": "DINKES"}, readPhoto(t, idols, "luda/luda.jpg")), 400, "bad_request")
	e.Want(e.Upload("/api/v1/faces/register", op, map[string]string{"nip": NIP(6), "name": "x", "unit": "DINSOS"}, readPhoto(t, idols, "luda/luda.jpg")), 403, "forbidden")
	e.Want(e.Do("POST", "/api/v1/faces/identify", op, map[string]any{"photo": "base64?"}), 415, "unsupported_media_type")
	e.Want(e.Upload("/api/v1/faces/identify", op, nil, readPhoto(t, idols, "luda/luda.jpg"), readPhoto(t, idols, "luda/luda2.jpg")), 400, "bad_request")
	aud := e.As("dpo", server.RoleAuditor)
	e.Want(e.Upload("/api/v1/faces/identify", aud, nil, readPhoto(t, idols, "luda/luda.jpg")), 403, "forbidden")
}
