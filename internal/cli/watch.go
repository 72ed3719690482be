package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hadir-id/hadir/camera"
	"github.com/hadir-id/hadir/checkin"
)

func init() {
	register(command{
		name:  "watch",
		usage: "--source SOURCE --data DIR [--interval 1m] [--min-face 60] [--models DIR]",
		help:  "identify every face of a CCTV stream (or webcam, or video file); record one sighting per person per interval; one JSON line each; runs until stopped",
		run:   runWatch,
	})
}

func runWatch(ctx context.Context, io IO, args []string) error {
	fs := newFlags("watch")
	source := fs.String("source", "", "camera: rtsp://..., http://..., a webcam index, a video file or an image folder")
	data := fs.String("data", "", "kiosk data directory")
	models := fs.String("models", "", "model directory (default $HADIR_MODELS or ./models)")
	interval := fs.Duration("interval", time.Minute, "at most one sighting per person (or stranger) within this interval")
	minFace := fs.Int("min-face", 60, "ignore faces narrower than this many pixels")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *source == "" || fs.NArg() != 0 {
		return errorf(errUsage, "want --source SOURCE and no other arguments")
	}
	if *interval <= 0 || *minFace < 1 {
		return errorf(errUsage, "--interval and --min-face must be positive")
	}
	if os.Getenv("OPENCV_LOG_LEVEL") == "" {
		os.Setenv("OPENCV_LOG_LEVEL", "ERROR")
	}
	id, err := openIdentifier(ctx, *data, *models)
	if err != nil {
		return err
	}
	defer id.Close()

	copts := camera.DefaultOptions()
	copts.OnStatus = statusPrinter(io)
	src, err := camera.Open(ctx, *source, copts)
	if err != nil {
		return err
	}
	defer src.Close()

	wo := checkin.DefaultWatchOptions()
	wo.Interval, wo.MinFaceWidth = *interval, *minFace
	emit := jsonLines(io.Stdout)
	n := 0
	err = checkin.NewWatcher(id.engine, id.gallery, id.store, wo).Run(ctx, src, func(s checkin.Sighting) {
		n++
		if err := emit(s); err != nil {
			fmt.Fprintf(io.Stderr, "watch: %v\n", err)
		}
	})
	fmt.Fprintf(io.Stderr, "watch: %d sightings recorded\n", n)
	if errors.Is(err, camera.ErrEnded) {
		return nil // a video file played to its end
	}
	return err
}

// statusPrinter reports camera state changes (connecting, reconnecting,
// live) on stderr, once per change.
func statusPrinter(io IO) func(camera.Status) {
	var last camera.State = -1
	return func(s camera.Status) {
		if s.State != last {
			last = s.State
			fmt.Fprintf(io.Stderr, "watch: camera %s\n", s)
		}
	}
}
