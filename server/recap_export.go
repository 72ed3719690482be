package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheet is one report as a table: the same cells go to CSV and XLSX, so
// the two exports cannot disagree.
type sheet struct {
	Name   string      // file and sheet name, e.g. "LB.1"
	Title  string      // e.g. "REKAPITULASI KEHADIRAN BULANAN (LB.1)"
	Meta   [][2]string // label, value lines under the title
	Header []string
	Rows   [][]any // string, int or float64 cells
	Sign   Signature
	Unit   string // for the print header
	Period string // for the print header
}

var bulan = [...]string{"", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
var hari = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// monthName is "Oktober 2026" for "2026-10".
func monthName(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return bulan[t.Month()] + " " + strconv.Itoa(t.Year())
}

// longDate is "5 Oktober 2026".
func longDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), bulan[t.Month()], t.Year())
}

func cellString(v any) string {
	switch x := v.(type) {
	case string:
		return csvSafe(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return fmt.Sprint(v)
}

// writeSheetCSV writes the table part (header and rows) as CSV.
func writeSheetCSV(w http.ResponseWriter, file string, sh sheet) error {
	cw := csvHeader(w, file)
	if err := cw.Write(sh.Header); err != nil {
		return err
	}
	rec := make([]string, len(sh.Header))
	for _, row := range sh.Rows {
		for i, v := range row {
			rec[i] = cellString(v)
		}
		if err := cw.Write(rec[:len(row)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// xlsxText escapes & for header/footer codes.
func xlsxText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// writeSheetXLSX streams the sheet as an XLSX workbook: title, meta lines,
// the table with a repeated header row when printed, A4 landscape with
// "Halaman N dari M" in the print header, and the signature block.
func writeSheetXLSX(w http.ResponseWriter, file string, sh sheet, generated time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sh.Name
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	orient, size, fit := "landscape", 9, 1 // A4, fit to one page wide
	zero := 0
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Orientation: &orient, Size: &size, FitToWidth: &fit, FitToHeight: &zero}); err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddHeader: "&L" + xlsxText(sh.Unit) + " - " + xlsxText(sh.Period) + "&RHalaman &P dari &N",
		OddFooter: "&LDibuat " + xlsxText(generated.Format("02-01-2006 15:04 MST")) + "&R" + xlsxText(sh.Name),
	}); err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true},
		Border: []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}})
	if err != nil {
		return err
	}
	headerRow := 3 + len(sh.Meta)
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: name,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, headerRow, headerRow)}); err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	_ = sw.SetColWidth(1, 1, 5)
	_ = sw.SetColWidth(2, 2, 20)
	_ = sw.SetColWidth(3, 3, 28)
	row := 1
	put := func(vals []any, opts ...excelize.RowOpts) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, vals, opts...)
	}
	if err := put([]any{sh.Title}, excelize.RowOpts{StyleID: bold}); err != nil {
		return err
	}
	for _, m := range sh.Meta {
		if err := put([]any{m[0], nil, m[1]}); err != nil {
			return err
		}
	}
	row++ // blank line, then the table header at headerRow
	hdr := make([]any, len(sh.Header))
	for i, h := range sh.Header {
		hdr[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := put(hdr); err != nil {
		return err
	}
	for _, r := range sh.Rows {
		if err := put(r); err != nil {
			return err
		}
	}
	row++
	signCol := max(3, len(sh.Header)-3)
	place := sh.Sign.Place
	if place != "" {
		place += ", "
	}
	for _, line := range []string{place + longDate(generated), "Mengetahui,", sh.Sign.Title, "", "", "", sh.Sign.Name, "NIP. " + sh.Sign.NIP} {
		cell, _ := excelize.CoordinatesToCellName(signCol, row)
		row++
		if err := sw.SetRow(cell, []any{line}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx %s: %w", file, err)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return f.Write(w)
}

// csvHeader starts a CSV attachment named name.
func csvHeader(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.WriteHeader(http.StatusOK)
	return csv.NewWriter(w)
}

// csvSafe defuses spreadsheet formulas in free text (CSV injection).
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
