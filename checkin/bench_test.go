package checkin

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/internal/memory"
	"github.com/hadir-id/hadir/internal/testutil"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

const (
	benchPeople = 10 // real ORL subjects walking up, one after another
	benchFPS    = 15
	benchGap    = 1.5 // seconds of empty lobby before each person
	benchStay   = 2.0 // seconds each person stands in front
)

// timeline notes when the first frame was captured, so a frame's place in
// the video can be turned into wall time.
type timeline struct {
	*camera.Source
	once sync.Once
	t0   time.Time
}

func (tl *timeline) Latest(dst *camera.Frame) (uint64, bool) {
	seq, ok := tl.Source.Latest(dst)
	if ok {
		tl.once.Do(func() {
			tl.t0 = dst.Time.Add(-time.Duration(seq-1) * time.Second / benchFPS)
		})
	}
	return seq, ok
}

// BenchmarkCheckinLatency plays a 640x480 video at real-time pace in
// which ten enrolled people walk up one after another (liveness off), on
// a kiosk store loaded like a large OPD: 10,000 employees x 5 templates
// and 100,000 events. It reports the time from the first frame showing a
// face to the durable event (p50, p95, max), the frames per second the
// recognition worker processed, and the process's resident memory with
// everything loaded (the kiosk minus its window).
func BenchmarkCheckinLatency(b *testing.B) {
	k := newKiosk(b)
	if err := fixture.Fill(context.Background(), k.store, fixture.LargeOPD, monday0725.Add(-72*time.Hour)); err != nil {
		b.Fatal(err)
	}
	subject := map[string]int{} // NIP -> place in the video, 1-based
	for i := 1; i <= benchPeople; i++ {
		nip := fmt.Sprintf("1990010120150120%02d", i)
		subject[nip] = i
		k.enroll(b, nip, fmt.Sprintf("Subject %d", i), orl(b, i, 1), orl(b, i, 2), orl(b, i, 3))
	}
	var clips []testutil.Clip
	for i := 1; i <= benchPeople; i++ {
		clips = append(clips, testutil.Clip{Seconds: benchGap})
		clips = append(clips, orlClips(b, i, benchStay/2, 4, 5)...)
	}
	clips = append(clips, testutil.Clip{Seconds: benchGap})
	video := testutil.Video(b, clips, benchFPS)
	k.opts.Liveness = LivenessOff

	// Reopen as the kiosk starts: open the store, load the gallery.
	gal := recognition.NewGallery()
	if err := k.store.ForEachTemplate(context.Background(), func(t storage.Template) error {
		gal.Add(t.NIP, recognition.Descriptor(t.Descriptor))
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	k.gal = gal
	defer debug.SetGCPercent(debug.SetGCPercent(memory.GCPercent))
	memory.Limit() // as main does
	if err := k.store.ReleaseMemory(); err != nil {
		b.Fatal(err)
	}
	memory.Release()

	var lat []float64
	var steps int
	var played time.Duration
	var peak float64
	b.ResetTimer()
	for range b.N {
		p := k.pipeline(b)
		if err := k.store.ReleaseMemory(); err != nil { // as the kiosk does after start-up
			b.Fatal(err)
		}
		src, err := camera.Open(context.Background(), video, camera.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		tl := &timeline{Source: src}
		seen := map[string]bool{}
		start := time.Now()
		err = p.Run(context.Background(), tl, func(s State) {
			steps++
			if steps%5 == 0 {
				peak = max(peak, testutil.RSSMiB())
			}
			if s.Kind != StateRecorded || s.Person == nil || seen[s.Person.NIP] {
				return
			}
			seen[s.Person.NIP] = true
			i := subject[s.Person.NIP]
			appear := tl.t0.Add(time.Duration((float64(i)*(benchGap+benchStay) - benchStay) * float64(time.Second)))
			lat = append(lat, float64(time.Since(appear).Milliseconds()))
		})
		played += time.Since(start)
		src.Close()
		if err != nil && !strings.Contains(err.Error(), "ended") {
			b.Fatal(err)
		}
		if len(seen) != benchPeople {
			b.Fatalf("recorded %d of %d people", len(seen), benchPeople)
		}
	}
	peak = max(peak, testutil.RSSMiB())
	b.Logf("memory after playing: %s", rssDetail())
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
	b.ReportMetric(percentile(lat, 0.95), "p95-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
	b.ReportMetric(float64(steps)/played.Seconds(), "frames/s")
	b.ReportMetric(peak, "peak-RSS-MiB")
}

func percentile(sorted []float64, p float64) float64 {
	return sorted[int(math.Ceil(p*float64(len(sorted))))-1]
}

// rssDetail splits resident memory into private (anon) and file-backed
// (shared libraries, the store's map: clean pages the kernel can drop).
func rssDetail() string {
	data, _ := os.ReadFile("/proc/self/status")
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "Rss") || strings.HasPrefix(line, "VmRSS") {
			out = append(out, strings.Join(strings.Fields(line), " "))
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return strings.Join(out, ", ") + fmt.Sprintf(", heap inuse %d MiB sys %d MiB", ms.HeapInuse>>20, ms.Sys>>20)
}
