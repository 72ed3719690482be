package cli

import (
	"context"

	"github.com/hadir-id/hadir/recognition"
)

func init() {
	register(command{
		name:  "embed",
		usage: "[--detector hog|cnn] [--models DIR] [--workers N] FILE...",
		help:  "print the faces (box, 128-D descriptor, quality) of each image as JSON lines",
		run:   runEmbed,
	})
}

type embedFace struct {
	Box        [4]int                 `json:"box"`
	Descriptor recognition.Descriptor `json:"descriptor"`
	Quality    recognition.Quality    `json:"quality"`
}

type embedLine struct {
	File  string      `json:"file"`
	Faces []embedFace `json:"faces"`
	Error string      `json:"error,omitempty"`
}

func runEmbed(ctx context.Context, io IO, args []string) error {
	fs := newFlags("embed")
	detector := fs.String("detector", "hog", "face detector: hog (fast) or cnn (slow, finds more)")
	models := fs.String("models", "", "model directory (default $HADIR_MODELS or ./models)")
	workers := fs.Int("workers", 1, "face recognizers in parallel (each loads its own models, ~166 MB; one is fastest on 2 cores)")
	if err := parse(fs, args); err != nil {
		return err
	}
	det, err := recognition.ParseDetector(*detector)
	if err != nil {
		return errorf(errUsage, "%v", err)
	}
	if fs.NArg() == 0 {
		return errorf(errUsage, "no image files given")
	}
	e, err := newEngine(*models, det, max(1, *workers))
	if err != nil {
		return err
	}
	defer e.Close()
	ok, err := eachFile(ctx, io.Stderr, "embed", fs.Args(), max(1, *workers)+1, func(ctx context.Context, path string) (any, bool) {
		line := embedLine{File: path, Faces: []embedFace{}}
		data, err := readImageFile(path)
		if err == nil {
			var faces []recognition.Face
			faces, err = e.Detect(ctx, data)
			for _, f := range faces {
				line.Faces = append(line.Faces, embedFace{
					Box:        [4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, f.Box.Max.Y},
					Descriptor: f.Descriptor,
					Quality:    f.Quality,
				})
			}
		}
		if err != nil {
			line.Faces, line.Error = nil, err.Error()
		}
		return line, err == nil
	}, jsonLines(io.Stdout))
	return batchResult(ok, err)
}
