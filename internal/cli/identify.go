package cli

import (
	"context"

	"github.com/hadir-id/hadir/recognition"
)

func init() {
	register(command{
		name:  "identify",
		usage: "--data DIR [--models DIR] FILE...",
		help:  "tell who is in each photo (or unknown) against the enrolled employees",
		run:   runIdentify,
	})
}

type identifyMatch struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Distance *float64 `json:"distance"`
	Margin   *float64 `json:"margin"` // null with a single enrolled person
}

type identifyLine struct {
	File   string         `json:"file"`
	Match  *identifyMatch `json:"match"`
	Reason string         `json:"reason,omitempty"`
	Error  string         `json:"error,omitempty"`
}

func runIdentify(ctx context.Context, io IO, args []string) error {
	fs := newFlags("identify")
	data := fs.String("data", "", "kiosk data directory")
	models := fs.String("models", "", "model directory (default $HADIR_MODELS or ./models)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errorf(errUsage, "no image files given")
	}
	id, err := openIdentifier(ctx, *data, *models)
	if err != nil {
		return err
	}
	defer id.Close()
	g, emps, e := id.gallery, id.employees, id.engine
	policy, limits := recognition.DefaultPolicy(), recognition.DefaultQualityLimits()
	ok, err := eachFile(ctx, io.Stderr, "identify", fs.Args(), 2, func(ctx context.Context, path string) (any, bool) {
		line := identifyLine{File: path}
		f, err := enrollSample(ctx, e, path, limits)
		if err != nil {
			line.Reason = reasonOf(err)
			if line.Reason == "bad_image" {
				line.Error = err.Error()
				return line, false
			}
			return line, true // a photo without one good face is an answer, not a failure
		}
		d := policy.Decide(g.Search(f.Descriptor))
		if !d.Accepted() {
			line.Reason = "unknown"
			return line, true
		}
		line.Match = &identifyMatch{ID: d.ID, Name: emps[d.ID].Name, Distance: finite(d.Distance), Margin: finite(d.Margin)}
		return line, true
	}, jsonLines(io.Stdout))
	return batchResult(ok, err)
}
