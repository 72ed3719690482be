package recognition

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/hadir-id/hadir/internal/testutil"
)

// bench640 is one frontal face letterboxed into a 640x480 JPEG.
func bench640(b *testing.B) []byte {
	return fit640(b, decodeFile(b, filepath.Join(testutil.Dataset(b, "idols"), "chaeyeon", "chaeyeon.jpg")))
}

// BenchmarkDetectEncodeHOG640 is the kiosk's per-frame cost: decode, HOG
// detection, 68 landmarks, chip and ResNet descriptor of one face.
func BenchmarkDetectEncodeHOG640(b *testing.B) {
	e, data := testEngine(b), bench640(b)
	for b.Loop() {
		if f, err := e.Detect(context.Background(), data); err != nil || len(f) != 1 {
			b.Fatalf("%d faces, %v", len(f), err)
		}
	}
}

// BenchmarkDetectEncodeHOG640Parallel runs two callers on the two pooled
// recognizers: throughput gained by pooling on a 2-core machine.
func BenchmarkDetectEncodeHOG640Parallel(b *testing.B) {
	e, data := testEngine(b), bench640(b)
	b.SetParallelism(1) // GOMAXPROCS callers = the number of cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if f, err := e.Detect(context.Background(), data); err != nil || len(f) != 1 {
				b.Errorf("%d faces, %v", len(f), err)
				return
			}
		}
	})
}

// BenchmarkDetectCNN640 is dlib's MMOD detector (plus encoding) at 640x480
// on the same frame; it reports the faces it found, since MMOD and HOG
// disagree on some frames (MMOD misses this large frontal face, and finds
// faces HOG misses elsewhere: see TestCNNFindsFacesHOGMisses).
func BenchmarkDetectCNN640(b *testing.B) {
	e, data := testEngine(b), bench640(b)
	found := 0
	for b.Loop() {
		f, err := e.DetectWith(context.Background(), data, CNN)
		if err != nil {
			b.Fatal(err)
		}
		found = len(f)
	}
	b.ReportMetric(float64(found), "faces")
}

// BenchmarkStillCNNFallback is what a still photo HOG misses costs
// Detect: HOG, then the CNN, landmarks and descriptor (jimin3, 2100x1400,
// detected at 2048 px).
func BenchmarkStillCNNFallback(b *testing.B) {
	e := testEngine(b)
	data := readFile(b, filepath.Join(testutil.Dataset(b, "idols"), "jimin", "jimin3.jpg"))
	for b.Loop() {
		if f, err := e.Detect(context.Background(), data); err != nil || len(f) != 1 {
			b.Fatalf("%d faces, %v", len(f), err)
		}
	}
}

// BenchmarkEmbed250 is one 250x250 photo through Detect, as `hadir
// embed` does for each file (in-process: no start-up).
func BenchmarkEmbed250(b *testing.B) {
	e := testEngine(b)
	var data []byte
	for _, p := range photos250(b, 60) { // the first with one face HOG finds
		if f, err := e.DetectWith(context.Background(), readFile(b, p), HOG); err == nil && len(f) == 1 {
			data = readFile(b, p)
			break
		}
	}
	for b.Loop() {
		if f, err := e.Detect(context.Background(), data); err != nil || len(f) != 1 {
			b.Fatalf("%d faces, %v", len(f), err)
		}
	}
}

// BenchmarkGallerySearch10kx5 is one 1:N probe against 10,000 people with
// 5 templates each, on one core (target: <= 1 ms).
func BenchmarkGallerySearch10kx5(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	people := synthPeople(rng, 10_000, 5, false)
	g := NewGallery()
	ids := make([]string, 0, len(people))
	for id, ts := range people {
		g.Set(id, ts)
		ids = append(ids, id)
	}
	probes := make([]Descriptor, 64)
	for i := range probes {
		src := people[ids[rng.IntN(len(ids))]][0]
		for j := range probes[i] {
			probes[i][j] = src[j] + float32(rng.NormFloat64()*0.02)
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		g.Search(probes[i%len(probes)])
		i++
	}
}
