package checkin

import (
	"slices"
	"testing"
	"time"

	"github.com/hadir-id/hadir/internal/testutil"
)

// BenchmarkTimeToDecision plays ORL faces as video through the stepped
// camera (every frame seen, video time on the clock: the same numbers on
// an idle and a loaded machine): 12 enrolled subjects (images 1-2
// enrolled) walk up with images 3, 6 and 9, 0.7 s each, and 4
// never-enrolled subjects with two images each; liveness off. It reports, per attempt of an
// enrolled person, the frames from the first frame with a face to the
// decision (recorded or unknown; mean and max) and that in ms of video
// at 15 fps, the share ending "unknown", and the wall time the pipeline
// spent per frame. Strangers must never be recorded. "agree3of5" is the
// kiosk before early decisions (ClearFrames off), "clear2" the default
// without template adaptation, "clear2+adapt" the default (a subject's
// later walk-ups may match what an earlier one taught).
func BenchmarkTimeToDecision(b *testing.B) {
	const fps = 15
	for _, c := range []struct {
		name  string
		clear int
		adapt bool
	}{{"agree3of5", -1, false}, {"clear2", 0, false}, {"clear2+adapt", 0, true}} {
		b.Run(c.name, func(b *testing.B) {
			k := newKiosk(b)
			k.opts.Liveness = LivenessOff
			k.opts.NoAdapt = !c.adapt
			k.opts.ClearFrames = c.clear
			k.opts.AbsentAfter = 300 * time.Millisecond // a short gap ends a presence
			enrollORLB(b, k)
			type who struct {
				nip      string
				enrolled bool
			}
			var clips []testutil.Clip
			var order []who
			gap := testutil.Clip{Seconds: 0.5}
			for s := 1; s <= 12; s++ {
				for _, img := range []int{3, 6, 9} {
					clips = append(clips, gap)
					clips = append(clips, orlClips(b, s, 0.7, img)...)
					order = append(order, who{orlNIP(s), true})
				}
			}
			for s := orlEnrolled + 1; s <= orlEnrolled+4; s++ {
				for _, img := range []int{2, 7} {
					clips = append(clips, gap)
					clips = append(clips, orlClips(b, s, 0.7, img)...)
					order = append(order, who{"", false})
				}
			}
			clips = append(clips, gap)
			video := testutil.Video(b, clips, fps)
			var frames []float64
			var unknown, attempts, strangersIn, wrong int
			var wall time.Duration
			var steps int
			b.ResetTimer()
			for range b.N {
				p := k.pipeline(b)
				start := time.Now()
				states := k.play(b, p, video)
				wall += time.Since(start)
				steps += len(states)
				// Attempts: runs of non-idle states between idle ones.
				i, n := 0, -1
				for i < len(states) {
					if states[i].Kind == StateIdle {
						i++
						continue
					}
					n++
					first := i
					decided := false
					for ; i < len(states) && states[i].Kind != StateIdle; i++ {
						if decided {
							continue
						}
						switch s := states[i]; s.Kind {
						case StateRecorded, StateUnknown:
							decided = true
							if n >= len(order) {
								b.Fatalf("more attempts than people shown (%d)", len(order))
							}
							w := order[n]
							if !w.enrolled {
								if s.Kind == StateRecorded {
									strangersIn++
								}
								continue
							}
							attempts++
							frames = append(frames, float64(i-first+1))
							if s.Kind == StateUnknown {
								unknown++
							} else if s.Person == nil || s.Person.NIP != w.nip {
								wrong++
							}
						}
					}
				}
			}
			if strangersIn > 0 || wrong > 0 {
				b.Fatalf("%d strangers recorded, %d wrong people", strangersIn, wrong)
			}
			if attempts == 0 {
				b.Fatal("no decided attempt")
			}
			slices.Sort(frames)
			var sum float64
			for _, f := range frames {
				sum += f
			}
			mean := sum / float64(len(frames))
			b.ReportMetric(mean, "frames-to-decide")
			b.ReportMetric(frames[len(frames)-1], "max-frames")
			b.ReportMetric(mean*1000/fps, "decide-ms@15fps")
			b.ReportMetric(100*float64(unknown)/float64(attempts), "unknown-%")
			b.ReportMetric(float64(wall.Milliseconds())/float64(steps), "wall-ms/frame")
		})
	}
}
