package camera

import (
	"context"
	"fmt"
	"os"
	"time"

	"gocv.io/x/gocv"
)

// ProbeResult is what `hadir probe-camera` prints: enough to configure a
// kiosk for a camera without guessing.
type ProbeResult struct {
	Source      string  // the spec, password redacted
	Kind        Kind    // how the spec was understood
	Info        Info    // resolution, nominal FPS and codec the backend reports
	MeasuredFPS float64 // live sources: frames/s over up to ProbeDuration; 0 for files
	Snapshot    string  // the JPEG written, "" when none was asked
}

// ProbeDuration bounds how long Probe measures a live source's frame rate.
const ProbeDuration = 1500 * time.Millisecond

// Probe opens spec once (no retries), reads a frame, measures the frame
// rate of a live source, writes the first frame as a JPEG to snapshotPath
// (skipped when empty) and closes it. ctx is checked between frames; one
// open or read can block in C for up to the network timeout of
// DefaultOptions.
func Probe(ctx context.Context, spec, snapshotPath string) (ProbeResult, error) {
	sp, err := ParseSpec(spec)
	if err != nil {
		return ProbeResult{}, err
	}
	res := ProbeResult{Source: sp.String(), Kind: sp.Kind}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("probe %s: %w", sp, err)
	}
	c, err := openCapture(sp, DefaultOptions())
	if err != nil {
		return res, fmt.Errorf("probe: %w", err)
	}
	defer c.close()

	first, next := gocv.NewMat(), gocv.NewMat()
	defer first.Close()
	defer next.Close()
	if err := c.read(&first); err != nil {
		return res, fmt.Errorf("probe %s: first frame: %w", sp, ErrNoFrames)
	}
	res.Info = c.info()
	res.Info.Width, res.Info.Height = first.Cols(), first.Rows()

	if sp.Kind.Live() {
		start, n := time.Now(), 0
		for time.Since(start) < ProbeDuration && ctx.Err() == nil {
			if c.read(&next) != nil {
				break
			}
			n++
		}
		if d := time.Since(start); n > 0 && d > 0 {
			res.MeasuredFPS = float64(n) / d.Seconds()
		}
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("probe %s: %w", sp, err)
	}

	if snapshotPath != "" {
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, first, []int{gocv.IMWriteJpegQuality, 92})
		if err != nil {
			return res, fmt.Errorf("probe %s: encode snapshot: %w", sp, err)
		}
		data := append([]byte(nil), buf.GetBytes()...)
		buf.Close()
		if err := os.WriteFile(snapshotPath, data, 0o644); err != nil {
			return res, fmt.Errorf("probe %s: write snapshot: %w", sp, err)
		}
		res.Snapshot = snapshotPath
	}
	return res, nil
}
