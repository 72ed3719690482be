package console

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Languages: Bahasa Indonesia is the default, English the option. The
// strings are data (i18n/*.json); a key missing from English falls back
// to Indonesian, one missing from both shows the key (a test catches it).
const (
	langID = "id"
	langEN = "en"
)

//go:embed i18n/*.json
var i18nFS embed.FS

type translations struct {
	m map[string]map[string]string // lang -> key -> text
}

func loadTranslations() (*translations, error) {
	t := &translations{m: map[string]map[string]string{}}
	for _, lang := range []string{langID, langEN} {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("console translations %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("console translations %s: %w", lang, err)
		}
		t.m[lang] = m
	}
	return t, nil
}

// text returns key in lang, formatted with args when given.
func (t *translations) text(lang, key string, args ...any) string {
	s, ok := t.m[lang][key]
	if !ok {
		if s, ok = t.m[langID][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// language picks the request's language: ?lang= (remembered in a cookie),
// else the cookie, else Indonesian.
func (c *Console) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == langID || l == langEN {
		c.setCookie(w, r, langCookie, l, 365*24*3600)
		return l
	}
	if l := cookieValue(r, langCookie); l == langEN {
		return l
	}
	return langID
}

var monthNames = map[string][12]string{
	langID: {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
	langEN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

var dayNames = map[string][7]string{
	langID: {"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"},
	langEN: {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

// zoneName is the Indonesian zone abbreviation of loc at t (WIB, WITA,
// WIT), else Go's abbreviation.
func zoneName(t time.Time) string {
	switch t.Location().String() {
	case "Asia/Jakarta", "Asia/Pontianak":
		return "WIB"
	case "Asia/Makassar":
		return "WITA"
	case "Asia/Jayapura":
		return "WIT"
	}
	name, _ := t.Zone()
	return name
}

// formatter formats for one language and time zone.
type formatter struct {
	lang string
	loc  *time.Location
}

// Date: "Selasa, 1 Desember 2026".
func (f formatter) Date(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(f.loc)
	return fmt.Sprintf("%s, %d %s %d", dayNames[f.lang][t.Weekday()], t.Day(), monthNames[f.lang][t.Month()-1], t.Year())
}

// ShortDate: "1 Des 2026".
func (f formatter) ShortDate(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(f.loc)
	return fmt.Sprintf("%d %s %d", t.Day(), monthNames[f.lang][t.Month()-1][:3], t.Year())
}

// DateTime: "1 Des 2026 07.31 WIB" (Indonesian uses a dot in times).
func (f formatter) DateTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(f.loc)
	return f.ShortDate(t) + " " + f.Clock(t) + " " + zoneName(t)
}

// Clock: "07.31" in Indonesian, "07:31" in English.
func (f formatter) Clock(t time.Time) string {
	t = t.In(f.loc)
	if f.lang == langID {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}

// Month: "Desember 2026".
func (f formatter) Month(year int, month time.Month) string {
	return fmt.Sprintf("%s %d", monthNames[f.lang][month-1], year)
}

// Int: "10.000" in Indonesian, "10,000" in English.
func (f formatter) Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if f.lang == langEN {
		sep = ","
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Dec: one decimal, "1,5" in Indonesian, "1.5" in English.
func (f formatter) Dec(x float64) string {
	whole := f.Int(int64(math.Trunc(x)))
	if x < 0 && whole[0] != '-' {
		whole = "-" + whole
	}
	frac := int64(math.Round(math.Abs(x-math.Trunc(x)) * 10))
	if frac == 10 {
		return f.Dec(math.Round(x))
	}
	sep := ","
	if f.lang == langEN {
		sep = "."
	}
	return whole + sep + strconv.FormatInt(frac, 10)
}

// Duration: a coarse age, "3 j 5 m" / "3 h 5 m", "2 hr" / "2 d".
func (f formatter) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	h, m := "j", "m"
	day := "h"
	if f.lang == langEN {
		h, day = "h", "d"
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d %s", int(d/time.Minute), m)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d %s %d %s", int(d/time.Hour), h, int(d%time.Hour/time.Minute), m)
	}
	return fmt.Sprintf("%d %s", int(d/(24*time.Hour)), day)
}

// Day formats an API date (YYYY-MM-DD): "Sel, 1 Des 2026".
func (f formatter) Day(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return fmt.Sprintf("%s, %d %s %d", dayNames[f.lang][t.Weekday()][:3], t.Day(), monthNames[f.lang][t.Month()-1][:3], t.Year())
}

// HM formats an API local time (HH:MM:SS) as the language writes it:
// "07.31" / "07:31".
func (f formatter) HM(clock string) string {
	if len(clock) < 5 {
		return clock
	}
	if f.lang == langID {
		return clock[:2] + "." + clock[3:5]
	}
	return clock[:5]
}
