package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hadir-id/hadir/recognition"
)

func init() {
	register(command{
		name:  "verify",
		usage: "[--models DIR] [--threshold D] A B",
		help:  "tell whether two photos (one face each) show the same person",
		run:   runVerify,
	})
}

func runVerify(ctx context.Context, io IO, args []string) error {
	fs := newFlags("verify")
	models := fs.String("models", "", "model directory (default $HADIR_MODELS or ./models)")
	threshold := fs.Float64("threshold", recognition.DefaultPolicy().Threshold, "maximum Euclidean distance for the same person")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errorf(errUsage, "want exactly two image files, got %d", fs.NArg())
	}
	e, err := newEngine(*models, recognition.HOG, 1)
	if err != nil {
		return err
	}
	defer e.Close()
	var ds [2]recognition.Descriptor
	for i, path := range fs.Args() {
		data, err := readImageFile(path)
		if err != nil {
			return err
		}
		faces, err := e.Detect(ctx, data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		f, err := recognition.Single(faces)
		if err != nil {
			return fmt.Errorf("%s: %w (verify needs exactly one face per photo)", path, err)
		}
		ds[i] = f.Descriptor
	}
	d := recognition.Distance(ds[0], ds[1])
	return json.NewEncoder(io.Stdout).Encode(map[string]any{
		"distance": finite(d), "same": d <= *threshold, "threshold": *threshold,
	})
}

// errorf wraps a sentinel with a formatted message.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
