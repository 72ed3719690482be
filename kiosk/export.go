package kiosk

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/storage"
)

// LogFilter selects attendance events for the admin log and its export.
type LogFilter struct {
	From, To time.Time // [From, To); zero From = no date filter
	Unit     string    // "" = all units
	Person   string    // NIP or part of the name, "" = everyone
	Loc      *time.Location
}

// DayFilter is the filter for one local date ("" = all dates).
func DayFilter(date, unit, person string, loc *time.Location) (LogFilter, error) {
	f := LogFilter{Unit: unit, Person: strings.ToLower(strings.TrimSpace(person)), Loc: loc}
	if date = strings.TrimSpace(date); date != "" {
		d, err := attendance.ParseDate(date)
		if err != nil {
			return f, fmt.Errorf("date %q: %w", date, err)
		}
		f.From = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, loc)
		f.To = f.From.AddDate(0, 0, 1)
	}
	return f, nil
}

func (f LogFilter) match(e storage.Event, emps map[string]storage.Employee) bool {
	if !f.From.IsZero() && (e.Time.Before(f.From) || !e.Time.Before(f.To)) {
		return false
	}
	emp := emps[e.NIP]
	if f.Unit != "" && emp.Unit != f.Unit {
		return false
	}
	if f.Person != "" && !strings.Contains(e.NIP, f.Person) && !strings.Contains(strings.ToLower(emp.Name), f.Person) {
		return false
	}
	return true
}

// EmployeeMap indexes the employees by NIP.
func EmployeeMap(ctx context.Context, st *storage.Store) (map[string]storage.Employee, error) {
	emps, err := st.Employees(ctx)
	if err != nil {
		return nil, fmt.Errorf("list employees: %w", err)
	}
	m := make(map[string]storage.Employee, len(emps))
	for _, e := range emps {
		m[e.NIP] = e
	}
	return m, nil
}

// FindEvents returns the events matching f, newest first, at most limit.
// With a date it reads only the ledger's tail from that day on.
func FindEvents(ctx context.Context, st *storage.Store, f LogFilter, limit int) ([]storage.Event, error) {
	emps, err := EmployeeMap(ctx, st)
	if err != nil {
		return nil, err
	}
	var evs []storage.Event
	if !f.From.IsZero() {
		evs, err = st.RecentEvents(ctx, f.From.Add(-24*time.Hour), 0)
	} else {
		evs, err = st.RecentEvents(ctx, time.Now().AddDate(0, 0, -7), 0)
	}
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	var out []storage.Event
	for i := len(evs) - 1; i >= 0 && len(out) < limit; i-- {
		if evs[i].Kind != storage.KindSighting && f.match(evs[i], emps) {
			out = append(out, evs[i])
		}
	}
	return out, nil
}

// csvHeader is the export's first line (machine-readable column names,
// the same in every language).
var csvHeader = []string{"id", "time", "kind", "nip", "name", "unit", "liveness", "distance", "sync", "device", "seq"}

// WriteCSV streams every event matching f, in ledger order, page by page:
// the export never holds the whole log in memory.
func WriteCSV(ctx context.Context, st *storage.Store, w io.Writer, f LogFilter) (int, error) {
	emps, err := EmployeeMap(ctx, st)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return 0, err
	}
	n := 0
	var after uint64
	for {
		page, err := st.Events(ctx, after, 500)
		if err != nil {
			return n, fmt.Errorf("read events after %d: %w", after, err)
		}
		for _, e := range page {
			if e.Kind == storage.KindSighting || !f.match(e, emps) {
				continue
			}
			emp := emps[e.NIP]
			t := e.Time
			if f.Loc != nil {
				t = t.In(f.Loc)
			}
			rec := []string{e.ID, t.Format(time.RFC3339), string(e.Kind), e.NIP, emp.Name, emp.Unit, e.Liveness,
				strconv.FormatFloat(e.Distance, 'f', 3, 64), e.Sync.String(), e.Device, strconv.FormatUint(e.Seq, 10)}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].Seq
	}
	cw.Flush()
	return n, cw.Error()
}

// ExportFile writes the CSV to path atomically (temporary file, fsync,
// rename): a half-written report is never left under the real name.
func ExportFile(ctx context.Context, st *storage.Store, path string, f LogFilter) (int, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*.csv")
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 64<<10)
	n, err := WriteCSV(ctx, st, bw, f)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return n, fmt.Errorf("export to %s: %w", path, err)
	}
	return n, nil
}
