package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/hadir-id/hadir/recognition"
)

// maxImageFile bounds what a command reads from one file (a phone photo is
// 2-15 MB); the engine refuses oversized pixel counts separately.
const maxImageFile = 64 << 20

// readImageFile reads one input file with a clear error for a missing
// path, a directory or an oversized file.
func readImageFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not an image file", path)
	}
	if st.Size() > maxImageFile {
		return nil, fmt.Errorf("%s is %d MB, over the %d MB limit", path, st.Size()>>20, maxImageFile>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return b, nil
}

// modelsDir is where the engine loads models from: --models, $HADIR_MODELS,
// ./models, or models/ beside the executable.
func modelsDir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv("HADIR_MODELS"); v != "" {
		return v
	}
	if recognition.CheckModels("models") == nil {
		return "models"
	}
	if exe, err := os.Executable(); err == nil {
		if dir := filepath.Join(filepath.Dir(exe), "models"); recognition.CheckModels(dir) == nil {
			return dir
		}
	}
	return "models"
}

// newEngine loads the models with workers pooled recognizers.
func newEngine(dir string, detector recognition.Detector, workers int) (*recognition.Engine, error) {
	opts := recognition.DefaultOptions()
	opts.Detector = detector
	opts.Recognizers = workers
	return recognition.NewEngine(modelsDir(dir), opts)
}

// eachFile runs fn on every file with `workers` in parallel and hands the
// results to emit in input order, reporting progress on stderr about once
// a second. It returns how many results emit marked ok.
func eachFile(ctx context.Context, stderr io.Writer, name string, files []string, workers int,
	fn func(ctx context.Context, path string) (result any, ok bool), emit func(result any) error) (okCount int, err error) {
	type slot struct {
		result any
		ok     bool
	}
	// Cancelling on return stops the producer when emit fails early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pending := make(chan chan slot, workers*2) // bounds the work in flight
	go func() {
		defer close(pending)
		sem := make(chan struct{}, workers)
		for _, f := range files {
			c := make(chan slot, 1)
			select {
			case pending <- c:
			case <-ctx.Done():
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				close(c) // tells the reader this slot will never be filled
				return
			}
			go func() {
				defer func() { <-sem }()
				r, ok := fn(ctx, f)
				c <- slot{r, ok}
			}()
		}
	}()
	start, last := time.Now(), time.Now()
	done, failed := 0, 0
	for c := range pending {
		s, open := <-c
		if !open {
			break
		}
		done++
		if s.ok {
			okCount++
		} else {
			failed++
		}
		if err := emit(s.result); err != nil {
			return okCount, err
		}
		if time.Since(last) >= time.Second || done == len(files) && len(files) > 20 {
			last = time.Now()
			rate := float64(done) / time.Since(start).Seconds()
			fmt.Fprintf(stderr, "%s: %d/%d files (%d%%), %d failed, %.1f files/s\n", name, done, len(files), 100*done/len(files), failed, rate)
		}
	}
	if err := ctx.Err(); err != nil {
		return okCount, err
	}
	return okCount, nil
}

// batchResult is a batch command's outcome: its error, or errAllFailed
// when no input succeeded (the per-file errors were already printed).
func batchResult(ok int, err error) error {
	if err != nil {
		return err
	}
	if ok == 0 {
		return errAllFailed
	}
	return nil
}

// jsonLines writes one JSON value per line.
func jsonLines(w io.Writer) func(any) error {
	enc := json.NewEncoder(w)
	return func(v any) error { return enc.Encode(v) }
}

// finite maps +Inf (no second person) to nil so it encodes as JSON null.
func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	r := math.Round(v*1e4) / 1e4
	return &r
}

// reasonOf maps a detection error to the per-file reason the CLI reports.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, recognition.ErrNoFace):
		return "no_face"
	case errors.Is(err, recognition.ErrMultipleFaces):
		return "multiple_faces"
	case errors.Is(err, recognition.ErrLowQuality):
		return "low_quality"
	default:
		return "bad_image"
	}
}
