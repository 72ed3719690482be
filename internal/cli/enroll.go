package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

func init() {
	register(command{
		name:  "enroll",
		usage: "--data DIR --id NIP --name NAME [--unit UNIT] [--models DIR] FILE...",
		help:  "add face templates for one employee from photos (one face each, good quality)",
		run:   runEnroll,
	})
}

type enrollLine struct {
	File     string `json:"file"`
	Template string `json:"template,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error,omitempty"`
}

func runEnroll(ctx context.Context, io IO, args []string) error {
	fs := newFlags("enroll")
	data := fs.String("data", "", "kiosk data directory")
	nip := fs.String("id", "", "employee NIP (18 digits)")
	name := fs.String("name", "", "employee name")
	unit := fs.String("unit", "", "unit / OPD")
	models := fs.String("models", "", "model directory (default $HADIR_MODELS or ./models)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nip == "" || *name == "" || fs.NArg() == 0 {
		return errorf(errUsage, "--id, --name and at least one image file are required")
	}
	if err := storage.ValidateNIP(*nip); err != nil {
		return errorf(errUsage, "%v", err)
	}
	st, err := openStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	e, err := newEngine(*models, recognition.HOG, 1)
	if err != nil {
		return err
	}
	defer e.Close()
	others, names, err := loadGallery(ctx, st)
	if err != nil {
		return err
	}
	policy, limits := recognition.DefaultPolicy(), recognition.DefaultQualityLimits()

	type sample struct {
		line *enrollLine
		tpl  *storage.Template
	}
	var accepted []storage.Template
	var lines []*enrollLine
	_, err = eachFile(ctx, io.Stderr, "enroll", fs.Args(), 2, func(ctx context.Context, path string) (any, bool) {
		line := &enrollLine{File: path}
		f, err := enrollSample(ctx, e, path, limits)
		if err == nil {
			// Re-enrolling adds to one's own templates: only others count.
			if id, dist, dup := others.Duplicate(f.Descriptor, *nip, policy.Threshold); dup {
				err = fmt.Errorf("%w: this face matches %s (%s), distance %.3f", errDuplicateFace, id, names[id].Name, dist)
			}
		}
		if err != nil {
			line.Error, line.Reason = err.Error(), enrollReason(err)
			return sample{line: line}, false
		}
		tpl := &storage.Template{Descriptor: f.Descriptor, Quality: storage.TemplateQuality(f.Quality)}
		return sample{line, tpl}, true
	}, func(r any) error { // runs in input order, on one goroutine
		s := r.(sample)
		lines = append(lines, s.line)
		if s.tpl != nil {
			accepted = append(accepted, *s.tpl)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(accepted) > 0 {
		emp := storage.Employee{NIP: *nip, Name: *name, Unit: *unit}
		if *unit == "" { // keep the unit of an existing employee
			if cur, err := st.Employee(ctx, *nip); err == nil {
				emp.Unit = cur.Unit
			}
		}
		_, saved, err := st.Enroll(ctx, storage.Enrollment{Employee: emp, Templates: accepted})
		if err != nil {
			return err
		}
		i := 0
		for _, l := range lines {
			if l.Error == "" {
				l.Template = saved[i].ID
				i++
			}
		}
	}
	emit := jsonLines(io.Stdout)
	for _, l := range lines {
		if err := emit(l); err != nil {
			return err
		}
	}
	fmt.Fprintf(io.Stderr, "enroll: %s: %d of %d photos enrolled\n", *nip, len(accepted), len(lines))
	if len(accepted) == 0 {
		return errAllFailed
	}
	return nil
}

var errDuplicateFace = errors.New("face already enrolled under another NIP")

// enrollSample detects exactly one face of sufficient quality in path.
func enrollSample(ctx context.Context, e *recognition.Engine, path string, limits recognition.QualityLimits) (recognition.Face, error) {
	data, err := readImageFile(path)
	if err != nil {
		return recognition.Face{}, err
	}
	faces, err := e.Detect(ctx, data)
	if err != nil {
		return recognition.Face{}, err
	}
	f, err := recognition.Single(faces)
	if err != nil {
		return f, err
	}
	return f, limits.Check(f.Quality)
}

func enrollReason(err error) string {
	if errors.Is(err, errDuplicateFace) {
		return "duplicate_face"
	}
	return reasonOf(err)
}
