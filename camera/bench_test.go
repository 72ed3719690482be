package camera

import (
	"context"
	"image"
	"syscall"
	"testing"
	"time"
)

// benchSource opens a clip for a benchmark and waits for its first frame.
func benchSource(b *testing.B, path string, opts Options) *Source {
	b.Helper()
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Wait(ctx, 0); err != nil {
		b.Fatalf("first frame of %s: %v", path, err)
	}
	return s
}

// benchDecode measures how fast the reader decodes and publishes a clip:
// the ceiling of any live pipeline on this machine. ns/op is per frame.
func benchDecode(b *testing.B, path string) {
	opts := DefaultOptions()
	opts.Loop = true
	opts.Unpaced = true
	s := benchSource(b, path, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := s.Status().Frames
	t0 := time.Now()
	b.ResetTimer()
	seq := start
	for seq < start+uint64(b.N) {
		var err error
		if seq, err = s.Wait(ctx, seq); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	frames := float64(seq - start)
	b.ReportMetric(frames/time.Since(t0).Seconds(), "fps")
}

func BenchmarkDecode640x480(b *testing.B) { benchDecode(b, makeVideos(b).v640) }

func BenchmarkDecode1280x720(b *testing.B) { benchDecode(b, makeVideos(b).v720) }

// benchFrame returns one 640x480 frame of the test clip.
func benchFrame(b *testing.B) *Frame {
	b.Helper()
	s := benchSource(b, makeVideos(b).v640, DefaultOptions())
	f := NewFrame()
	b.Cleanup(func() { f.Close() })
	if _, ok := s.Latest(f); !ok {
		b.Fatal("no frame")
	}
	return f
}

func BenchmarkToRGBA640x480(b *testing.B) {
	for _, mirror := range []bool{false, true} {
		name := "plain"
		if mirror {
			name = "mirror"
		}
		b.Run(name, func(b *testing.B) {
			f := benchFrame(b)
			var img *image.RGBA
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var err error
				if img, err = f.ToRGBA(img, mirror); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeJPEG640x480(b *testing.B) {
	f := benchFrame(b)
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, err = f.EncodeJPEG(buf, 85); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "bytes/frame")
}

// BenchmarkLatestCopy640x480 is what a consumer pays to take the newest
// frame out of the source (a copy under the read lock).
func BenchmarkLatestCopy640x480(b *testing.B) {
	s := benchSource(b, makeVideos(b).v640, DefaultOptions())
	f := NewFrame()
	defer f.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Seq = 0 // force the copy even when no new frame arrived
		if _, ok := s.Latest(f); !ok {
			b.Fatal("no frame")
		}
	}
}

// cpuTime is the user+system CPU this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPreview30fps640x480 runs the kiosk preview for real: a 640x480
// clip paced at 30 fps, each new frame taken with Latest and converted to
// a mirrored RGBA image. It reports the rate achieved and the CPU used
// (percent of one core, whole process); the target is >= 30 fps within
// 50 %. Run it with -benchtime=150x or more for a steadier number.
func BenchmarkPreview30fps640x480(b *testing.B) {
	opts := DefaultOptions()
	opts.Loop = true
	opts.FPS = 30
	s := benchSource(b, makeVideos(b).v640, opts)
	f := NewFrame()
	defer f.Close()
	var img *image.RGBA
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	seq, err := s.Wait(ctx, s.Status().Frames) // start on a frame boundary
	if err != nil {
		b.Fatal(err)
	}
	cpu0, t0 := cpuTime(b), time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if seq, err = s.Wait(ctx, seq); err != nil {
			b.Fatal(err)
		}
		s.Latest(f)
		if img, err = f.ToRGBA(img, true); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wall, cpu := time.Since(t0), cpuTime(b)-cpu0
	b.ReportMetric(float64(b.N)/wall.Seconds(), "fps")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu%")
}
