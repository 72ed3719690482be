package kiosk

import (
	"context"
	"image"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
	"github.com/hadir-id/hadir/recognition"
)

// Pose is the head direction an enrollment sample is asked for. A little
// variety (straight, slightly to the person's left, slightly right) makes
// the templates match a person who does not face the camera squarely.
type Pose string

const (
	PoseStraight Pose = "straight"
	PoseLeft     Pose = "left"  // the person's own left: the nose points to the unmirrored image's right (yaw > 0)
	PoseRight    Pose = "right" // yaw < 0
)

// CapturePlan is the pose of each sample, in order.
var CapturePlan = []Pose{PoseStraight, PoseLeft, PoseRight, PoseStraight, PoseStraight}

const (
	straightYaw = 12.0                   // |yaw| up to this counts as straight
	TurnedYaw   = 12.0                   // a turn must reach this (and stay under MaxYaw)
	sampleGap   = 400 * time.Millisecond // between two samples: not five copies of one frame
)

// EnrollLimits are the quality limits of an enrollment sample: the
// recognition defaults, with the kiosk's demand for a big face.
func EnrollLimits() recognition.QualityLimits {
	l := recognition.DefaultQualityLimits()
	l.MinFaceWidth = 80
	return l
}

// Sample is one accepted enrollment frame.
type Sample struct {
	Face  recognition.Face
	Photo []byte // JPEG face crop; only on the first straight Sample
}

// DupMatch is an enrolled person another face matched.
type DupMatch struct {
	NIP      string
	Distance float64
}

// CaptureUpdate is what the capture screen shows for one processed frame.
type CaptureUpdate struct {
	Box       image.Rectangle
	FrameSize image.Point
	Hint      string // translation key of the live feedback; "" when the frame was taken
	Good      bool   // this frame became a Sample
	Count     int    // samples so far
	Target    Pose   // the Pose asked for next
	Dup       *DupMatch
	Done      bool
	Err       error
}

// Capturer collects enrollment samples from a camera on its own
// goroutine (Run), checking quality, pose and duplicates for each frame.
type Capturer struct {
	det    Detector
	gal    *recognition.Gallery
	nip    string
	limits recognition.QualityLimits
	thresh float64
	need   int
	now    func() time.Time // the kiosk's clock: spaces the samples

	skip atomic.Bool // accept any Pose for the current target (operator's call)

	mu      sync.Mutex
	samples []Sample
	dups    []DupMatch
}

func NewCapturer(det Detector, gal *recognition.Gallery, nip string, threshold float64, now func() time.Time) *Capturer {
	return &Capturer{det: det, gal: gal, nip: nip, limits: EnrollLimits(), thresh: threshold, need: len(CapturePlan), now: now}
}

// Samples returns the accepted samples so far.
func (c *Capturer) Samples() []Sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Sample(nil), c.samples...)
}

// Duplicates returns the other people faces in front of the camera
// matched during the capture.
func (c *Capturer) Duplicates() []DupMatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]DupMatch(nil), c.dups...)
}

// Run reads frames until enough samples are taken, ctx ends or the camera
// fails; report is called for every processed frame on this goroutine.
func (c *Capturer) Run(ctx context.Context, src checkin.Frames, report func(CaptureUpdate)) {
	f := camera.NewFrame()
	defer f.Close()
	var seq uint64
	var last time.Time
	for ctx.Err() == nil {
		if _, err := src.Wait(ctx, seq); err != nil {
			if ctx.Err() == nil {
				report(CaptureUpdate{Err: err})
			}
			return
		}
		s, ok := src.Latest(f)
		if !ok {
			continue
		}
		seq = s
		faces, err := c.det.DetectMat(ctx, f.Mat())
		if err != nil {
			if ctx.Err() == nil {
				report(CaptureUpdate{Err: err})
			}
			return
		}
		u := c.judge(f, faces, &last)
		report(u)
		if u.Done {
			return
		}
	}
}

// judge decides one frame.
func (c *Capturer) judge(f *camera.Frame, faces []recognition.Face, last *time.Time) CaptureUpdate {
	c.mu.Lock()
	n := len(c.samples)
	c.mu.Unlock()
	u := CaptureUpdate{FrameSize: f.Size(), Count: n, Target: CapturePlan[min(n, len(CapturePlan)-1)]}
	switch len(faces) {
	case 0:
		u.Hint = "capture.no_face"
		return u
	case 1:
	default:
		u.Hint = "guide.one_person"
		u.Box = faces[0].Box
		return u
	}
	face := faces[0]
	u.Box = face.Box
	if h := qualityHint(face.Quality, c.limits); h != "" {
		u.Hint = h
		return u
	}
	if other, dist, dup := c.gal.Duplicate(face.Descriptor, c.nip, c.thresh); dup {
		u.Dup = &DupMatch{NIP: other, Distance: dist}
		u.Hint = "capture.duplicate"
		c.mu.Lock()
		c.dups = append(c.dups, *u.Dup)
		c.mu.Unlock()
		return u
	}
	if !c.skip.Load() {
		if h := poseHint(u.Target, face.Quality.Yaw); h != "" {
			u.Hint = h
			return u
		}
	}
	if c.now().Sub(*last) < sampleGap {
		u.Hint = "capture.hold"
		return u
	}
	s := Sample{Face: face}
	if u.Target == PoseStraight && !c.hasPhoto() {
		if img, err := f.ToRGBA(nil, false); err == nil {
			s.Photo, _ = FacePhoto(img, face.Box)
		}
	}
	*last = c.now()
	c.skip.Store(false)
	c.mu.Lock()
	c.samples = append(c.samples, s)
	u.Count = len(c.samples)
	c.mu.Unlock()
	u.Good = true
	u.Done = u.Count >= c.need
	if !u.Done {
		u.Target = CapturePlan[u.Count]
	}
	return u
}

// SkipPose accepts any pose for the next sample: the operator's call when
// a person cannot turn their head.
func (c *Capturer) SkipPose() { c.skip.Store(true) }

func (c *Capturer) hasPhoto() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.samples {
		if s.Photo != nil {
			return true
		}
	}
	return false
}

// poseHint is the instruction that brings the head to pose p, "" when
// the yaw already fits.
func poseHint(p Pose, yaw float64) string {
	switch p {
	case PoseLeft:
		if yaw < TurnedYaw {
			return "capture.pose.left"
		}
	case PoseRight:
		if yaw > -TurnedYaw {
			return "capture.pose.right"
		}
	default:
		if math.Abs(yaw) > straightYaw {
			return "capture.pose.straight"
		}
	}
	return ""
}

// qualityHint is the guidance key for the first quality limit q misses.
func qualityHint(q recognition.Quality, l recognition.QualityLimits) string {
	switch {
	case q.FaceWidth < l.MinFaceWidth:
		return "guide.come_closer"
	case q.Brightness < l.MinBrightness:
		return "guide.more_light"
	case q.Brightness > l.MaxBrightness:
		return "guide.less_light"
	case q.Sharpness < l.MinSharpness:
		return "guide.hold_still"
	case math.Abs(q.Yaw) > l.MaxYaw:
		return "guide.look_straight"
	}
	return ""
}
