package kiosk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/png" // photos in bulk imports may be PNG
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// ActionImport audits a bulk import run (each enrolled employee is also
// audited by the store as an enrollment).
const ActionImport = storage.AuditAction("import")

// maxPhotoBytes refuses absurd files before reading them.
const maxPhotoBytes = 25 << 20

// bulkRow is one data row of an import CSV: NIP, name, unit, photo file.
type bulkRow struct {
	Line                   int // line in the file (1-based), for the report
	NIP, Name, Unit, Photo string
	bad                    bool // too few columns
}

// BulkResult is one line of the import report.
type BulkResult struct {
	Line   int
	NIP    string
	Name   string
	OK     bool
	Reason string // refusal code (translated as "bulk.reason.<code>"); "" when OK
	Detail string // the underlying error, for the operator
}

// bulkProgress is the resumable state of one CSV's import, kept beside
// the store: rows before Done were handled in an earlier run.
type bulkProgress struct {
	Path string    `json:"path"`
	Size int64     `json:"size"`
	Mod  time.Time `json:"mod"`
	Done int       `json:"done"` // data rows handled
}

// readBulkCSV parses an import file. A first line whose first field is
// not a number is a header and skipped.
func readBulkCSV(path string) ([]bulkRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open import file %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []bulkRow
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("import file %s: %w", path, err)
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		first := strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff"))
		if line == 1 {
			if _, err := strconv.ParseUint(first, 10, 64); err != nil {
				continue // header
			}
		}
		row := bulkRow{Line: line, NIP: first, bad: len(rec) < 4}
		if !row.bad {
			row.Name, row.Unit, row.Photo = strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2]), strings.TrimSpace(rec[3])
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// BulkJob imports one CSV with its photo folder.
type BulkJob struct {
	Store     *storage.Store
	Detector  Detector
	Gallery   *recognition.Gallery
	CSVPath   string
	PhotoDir  string
	Threshold float64
	StateDir  string // where progress records live
}

// progressPath names the progress record of the job's CSV.
func (j *BulkJob) progressPath() string {
	abs, err := filepath.Abs(j.CSVPath)
	if err != nil {
		abs = j.CSVPath
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(j.StateDir, "bulk-"+hex.EncodeToString(sum[:8])+".json")
}

// loadProgress returns how many rows an earlier run finished; a changed
// file starts over.
func (j *BulkJob) loadProgress() bulkProgress {
	fi, err := os.Stat(j.CSVPath)
	if err != nil {
		return bulkProgress{}
	}
	cur := bulkProgress{Path: j.CSVPath, Size: fi.Size(), Mod: fi.ModTime().UTC()}
	data, err := os.ReadFile(j.progressPath())
	if err != nil {
		return cur
	}
	var p bulkProgress
	if json.Unmarshal(data, &p) != nil || p.Size != cur.Size || !p.Mod.Equal(cur.Mod) {
		return cur
	}
	cur.Done = p.Done
	return cur
}

func (j *BulkJob) saveProgress(p bulkProgress) error {
	if err := os.MkdirAll(j.StateDir, 0o700); err != nil {
		return err
	}
	data, _ := json.Marshal(p)
	tmp := j.progressPath() + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, j.progressPath())
}

// BulkSummary counts a run.
type BulkSummary struct {
	Total, Skipped, OK, Refused int
}

// Run imports the rows not done yet. report is called after each row
// (on run's goroutine) with the rows handled so far and the total. ctx
// carries the operator for the audit; cancelling it stops after the
// current row, and the next run resumes there.
func (j *BulkJob) Run(ctx context.Context, report func(done, total int, r BulkResult)) (BulkSummary, error) {
	rows, err := readBulkCSV(j.CSVPath)
	if err != nil {
		return BulkSummary{}, err
	}
	prog := j.loadProgress()
	sum := BulkSummary{Total: len(rows), Skipped: min(prog.Done, len(rows))}
	for i := prog.Done; i < len(rows); i++ {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		res := j.importRow(ctx, rows[i])
		if ctx.Err() != nil && !res.OK {
			return sum, ctx.Err() // interrupted mid-row: the row is redone next time
		}
		if res.OK {
			sum.OK++
		} else {
			sum.Refused++
		}
		prog.Done = i + 1
		if err := j.saveProgress(prog); err != nil {
			return sum, fmt.Errorf("save import progress: %w", err)
		}
		report(i+1, len(rows), res)
	}
	return sum, nil
}

// importRow enrolls one row, or says why not.
func (j *BulkJob) importRow(ctx context.Context, r bulkRow) BulkResult {
	res := BulkResult{Line: r.Line, NIP: r.NIP, Name: r.Name}
	refuse := func(reason string, err error) BulkResult {
		res.Reason = reason
		if err != nil {
			res.Detail = err.Error()
		}
		return res
	}
	switch {
	case r.bad:
		return refuse("columns", nil)
	case storage.ValidateNIP(r.NIP) != nil:
		return refuse("nip_invalid", storage.ValidateNIP(r.NIP))
	case r.Name == "":
		return refuse("name_missing", nil)
	case r.Photo == "":
		return refuse("photo_missing", nil)
	}
	path := r.Photo
	if !filepath.IsAbs(path) {
		path = filepath.Join(j.PhotoDir, path)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return refuse("photo_missing", fmt.Errorf("photo %s: %w", path, errOr(err, errors.New("is a folder"))))
	}
	if fi.Size() > maxPhotoBytes {
		return refuse("photo_unreadable", fmt.Errorf("photo %s: %d bytes", path, fi.Size()))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return refuse("photo_missing", err)
	}
	faces, err := j.Detector.Detect(ctx, data)
	if err != nil {
		return refuse("photo_unreadable", err)
	}
	face, err := recognition.Single(faces)
	switch {
	case errors.Is(err, recognition.ErrNoFace):
		return refuse("no_face", err)
	case err != nil:
		return refuse("multiple_faces", err)
	}
	if err := recognition.DefaultQualityLimits().Check(face.Quality); err != nil {
		return refuse("low_quality", err)
	}
	if other, dist, dup := j.Gallery.Duplicate(face.Descriptor, r.NIP, j.Threshold); dup {
		name := other
		if e, err := j.Store.Employee(ctx, other); err == nil {
			name = e.Name
		}
		return refuse("duplicate", fmt.Errorf("matches %s (%s) at distance %.3f", other, name, dist))
	}
	s := Sample{Face: face}
	if _, err := j.Store.EnrollPhoto(ctx, r.NIP); isNotFound(err) {
		if img, _, derr := image.Decode(bytes.NewReader(data)); derr == nil {
			s.Photo, _ = FacePhoto(img, face.Box)
		}
	}
	e := Enrollment{Employee: storage.Employee{NIP: r.NIP, Name: r.Name, Unit: r.Unit}, Samples: []Sample{s}}
	if _, err := SaveEnrollment(ctx, j.Store, j.Gallery, e); err != nil {
		return refuse("storage", err)
	}
	res.OK = true
	return res
}

func errOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// WriteBulkReport saves the per-row report as CSV (machine-readable columns).
func WriteBulkReport(path string, results []BulkResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write import report %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write import report %s: %w", path, err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"line", "nip", "name", "result", "reason", "detail"})
	for _, r := range results {
		result := "refused"
		if r.OK {
			result = "enrolled"
		}
		_ = w.Write([]string{strconv.Itoa(r.Line), r.NIP, r.Name, result, r.Reason, r.Detail})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write import report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write import report %s: %w", path, err)
	}
	return nil
}
