package checkin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/internal/camtest"
	"github.com/hadir-id/hadir/internal/clock"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

var (
	engineOnce sync.Once
	sharedEng  *recognition.Engine
	engineErr  error
)

// engine is one recognition engine for the whole test binary (~170 MB).
func engine(t testing.TB) *recognition.Engine {
	t.Helper()
	dir := testutil.ModelsDir(t)
	engineOnce.Do(func() { sharedEng, engineErr = recognition.NewEngine(dir, recognition.DefaultOptions()) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return sharedEng
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedEng != nil {
		sharedEng.Close()
	}
	os.Exit(code)
}

// kiosk is a pipeline over a real store and gallery.
type kiosk struct {
	eng   *recognition.Engine
	store *storage.Store
	gal   *recognition.Gallery
	opts  Options
	dir   string
	clock *clock.Manual // video time: moves one frame period per frame played
}

// monday0725 is a Monday in the check-in window, before the 07:30 start.
var monday0725 = time.Date(2026, 11, 23, 7, 25, 0, 0, time.FixedZone("WIB", 7*3600))

func newKiosk(t testing.TB) *kiosk {
	t.Helper()
	dir := t.TempDir()
	so := storage.DefaultOptions()
	so.Key = bytes.Repeat([]byte{7}, storage.KeySize)
	so.Argon2 = storage.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	so.DeviceID = "KIOSK-TEST"
	st, err := storage.Open(dir, so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewManual(monday0725)
	o := DefaultOptions()
	o.Now = clk.Now
	return &kiosk{eng: engine(t), store: st, gal: recognition.NewGallery(), opts: o, dir: dir, clock: clk}
}

// enroll adds an employee with one template per image.
func (k *kiosk) enroll(t testing.TB, nip, name string, images ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := k.store.PutEmployee(ctx, storage.Employee{NIP: nip, Name: name, Unit: "BKPSDM", Status: storage.StatusActive}); err != nil {
		t.Fatal(err)
	}
	var ts []storage.Template
	var ds []recognition.Descriptor
	for _, img := range images {
		data, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		faces, err := k.eng.Detect(ctx, data)
		if err != nil {
			t.Fatalf("enroll %s: %v", img, err)
		}
		f, err := recognition.Single(faces)
		if err != nil {
			t.Fatalf("enroll %s: %v", img, err)
		}
		q := f.Quality
		ts = append(ts, storage.Template{Descriptor: f.Descriptor, Quality: storage.TemplateQuality{
			FaceWidth: q.FaceWidth, Sharpness: q.Sharpness, Brightness: q.Brightness, Yaw: q.Yaw, EyeOpenness: q.EyeOpenness}})
		ds = append(ds, f.Descriptor)
	}
	if _, err := k.store.AddTemplates(ctx, nip, ts); err != nil {
		t.Fatal(err)
	}
	k.gal.Set(nip, ds)
}

// pipeline builds the pipeline with k.opts.
func (k *kiosk) pipeline(t testing.TB) *Pipeline {
	t.Helper()
	p, err := New(context.Background(), k.eng, k.gal, k.store, k.opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// play runs p over every frame of a video until it ends and returns every
// state reported. The video is stepped (camtest): the pipeline sees each
// frame, and k.clock reads the frame's video time, whatever the machine's
// load.
func (k *kiosk) play(t testing.TB, p *Pipeline, video string) []State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src, err := camtest.Open(ctx, video, k.clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var states []State
	err = p.Run(ctx, src, func(s State) { states = append(states, s) })
	if !errors.Is(err, camera.ErrEnded) {
		t.Fatalf("run over %s: %v, want the video to end", filepath.Base(video), err)
	}
	return states
}

// kinds counts the states of each kind; firsts lists kinds in order of
// appearance without repeats, for failure messages.
func kinds(states []State) (count map[StateKind]int, seq []StateKind) {
	count = map[StateKind]int{}
	for _, s := range states {
		if len(seq) == 0 || seq[len(seq)-1] != s.Kind {
			seq = append(seq, s.Kind)
		}
		count[s.Kind]++
	}
	return count, seq
}

// events returns every event in the store.
func (k *kiosk) events(t testing.TB) []storage.Event {
	t.Helper()
	evs, err := k.store.Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func orl(t testing.TB, subject, image int) string {
	return filepath.Join(testutil.Dataset(t, "orl"), fmt.Sprintf("s%d", subject), fmt.Sprintf("%d.pgm", image))
}

func idol(t testing.TB, person, file string) string {
	return filepath.Join(testutil.Dataset(t, "idols"), person, file)
}

// orlClips shows ORL images of one subject for secs each, scaled 3x.
func orlClips(t testing.TB, subject int, secs float64, images ...int) []testutil.Clip {
	var cs []testutil.Clip
	for _, i := range images {
		cs = append(cs, testutil.Clip{Image: orl(t, subject, i), Seconds: secs, Height: 336})
	}
	return cs
}
