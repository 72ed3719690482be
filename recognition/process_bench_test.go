package recognition

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
	xdraw "golang.org/x/image/draw"
)

// childEnv makes the test binary a stand-in for `hadir embed`: load the
// engine, detect every file named in childEnv's value (a list separated by
// the OS list separator), print the number of faces, exit. Benchmarks run
// it as a separate process to measure start-up and peak memory as a user
// sees them.
const childEnv = "HADIR_RECOGNITION_EMBED_CHILD"

func TestMain(m *testing.M) {
	if files := os.Getenv(childEnv); files != "" {
		os.Exit(embedChild(filepath.SplitList(files)))
	}
	os.Exit(m.Run())
}

func embedChild(files []string) int {
	e, err := NewEngine(os.Getenv("HADIR_MODELS"), DefaultOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer e.Close()
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		faces, err := e.Detect(context.Background(), data)
		if err != nil {
			fmt.Fprintln(os.Stderr, f, err)
			return 1
		}
		n += len(faces)
	}
	// Peak RSS as this process's own high-water mark: the rusage a parent
	// gets counts the parent's memory too (Go starts children with vfork,
	// and exec keeps the shared mm's high-water mark).
	fmt.Println(n, peakRSSKiB())
	return 0
}

// peakRSSKiB is VmHWM from /proc/self/status (0 elsewhere).
func peakRSSKiB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return kb
		}
	}
	return 0
}

// runChild runs the embed stand-in on files and returns its wall time and
// its peak RSS in MiB.
func runChild(b *testing.B, files []string) (time.Duration, float64) {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(files, string(os.PathListSeparator)), "HADIR_MODELS="+testutil.ModelsDir(b))
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	var faces, hwm int
	if _, serr := fmt.Sscan(string(out), &faces, &hwm); err != nil || serr != nil {
		b.Fatalf("embed child: %v %v: %s", err, serr, out)
	}
	return wall, float64(hwm) / 1024
}

// photos250 writes n JPEG photos of 250x250 (idol and ORL images scaled to
// cover the square, centre-cropped), the size of issue 17's embed run.
func photos250(b *testing.B, n int) []string {
	b.Helper()
	var src []string
	for _, g := range []string{filepath.Join(testutil.Dataset(b, "idols"), "*", "*.jpg"), filepath.Join(testutil.Dataset(b, "orl"), "s*", "[1-5].pgm")} {
		m, _ := filepath.Glob(g)
		src = append(src, m...)
	}
	dir := b.TempDir()
	out := make([]string, 0, n)
	for i := 0; i < n && i < len(src); i++ {
		img := decodeFile(b, src[i])
		sb := img.Bounds()
		s := max(250/float64(sb.Dx()), 250/float64(sb.Dy()))
		w, h := int(float64(sb.Dx())*s+0.5), int(float64(sb.Dy())*s+0.5)
		dst := image.NewRGBA(image.Rect(0, 0, 250, 250))
		xdraw.ApproxBiLinear.Scale(dst, image.Rect((250-w)/2, (250-h)/2, (250-w)/2+w, (250-h)/2+h), img, sb, draw.Src, nil)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 92}); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%03d.jpg", i))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkEmbedProcessStart is a whole `hadir embed` process on one
// 250x250 photo: start-up (models loaded) dominates; peak RSS as the OS
// counts it.
func BenchmarkEmbedProcessStart(b *testing.B) {
	files := photos250(b, 1)
	var rss float64
	for b.Loop() {
		_, r := runChild(b, files)
		rss = max(rss, r)
	}
	b.ReportMetric(rss, "peak-MiB")
}

// BenchmarkEmbedProcess200 is issue 17's run: one process embedding 200
// photos of 250x250; ms/op is the whole run, ms/photo the marginal cost.
func BenchmarkEmbedProcess200(b *testing.B) {
	files := photos250(b, 200)
	one, _ := runChild(b, files[:1])
	var rss float64
	var wall time.Duration
	for b.Loop() {
		w, r := runChild(b, files)
		rss, wall = max(rss, r), wall+w
	}
	b.ReportMetric(rss, "peak-MiB")
	b.ReportMetric(float64((wall/time.Duration(b.N)-one).Milliseconds())/float64(len(files)-1), "ms/photo")
}
