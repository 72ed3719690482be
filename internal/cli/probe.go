package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hadir-id/hadir/camera"
)

func init() {
	register(command{
		name:  "probe-camera",
		usage: "[--snapshot FILE] [--json] SOURCE   (SOURCE: 0, /dev/video2, rtsp://..., http://..., a video file or an image folder)",
		help:  "open a camera or stream once and print its resolution, frame rate and codec; optionally save a snapshot JPEG",
		run:   runProbeCamera,
	})
}

func runProbeCamera(ctx context.Context, io IO, args []string) error {
	fs := newFlags("probe-camera")
	snapshot := fs.String("snapshot", "", "write the first frame as a JPEG to this file")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	// Flags may come before or after SOURCE (flag stops at the first
	// positional argument, so parse what follows it again).
	var sources []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		sources = append(sources, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(sources) != 1 {
		return fmt.Errorf("%w: want exactly one SOURCE, got %d", errUsage, len(sources))
	}
	if os.Getenv("OPENCV_LOG_LEVEL") == "" {
		os.Setenv("OPENCV_LOG_LEVEL", "ERROR") // keep OpenCV's warnings out of the report
	}
	res, err := camera.Probe(ctx, sources[0], *snapshot)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(io.Stdout).Encode(map[string]any{
			"source": res.Source, "kind": res.Kind.String(),
			"width": res.Info.Width, "height": res.Info.Height,
			"fps": res.Info.FPS, "measured_fps": res.MeasuredFPS,
			"codec": res.Info.Codec, "snapshot": res.Snapshot,
		})
	}
	w := io.Stdout
	fmt.Fprintf(w, "source:     %s (%s)\n", res.Source, res.Kind)
	fmt.Fprintf(w, "resolution: %dx%d\n", res.Info.Width, res.Info.Height)
	fps := "unknown"
	if res.Info.FPS > 0 {
		fps = fmt.Sprintf("%.2f", res.Info.FPS)
	}
	if res.MeasuredFPS > 0 {
		fps += fmt.Sprintf(" (measured %.1f)", res.MeasuredFPS)
	}
	fmt.Fprintf(w, "fps:        %s\n", fps)
	codec := res.Info.Codec
	if codec == "" {
		codec = "unknown"
	}
	fmt.Fprintf(w, "codec:      %s\n", codec)
	if res.Snapshot != "" {
		fmt.Fprintf(w, "snapshot:   %s\n", res.Snapshot)
	}
	return nil
}
