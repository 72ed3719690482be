package console

import (
	"io/fs"
	"regexp"
	"testing"
	"time"
)

// TestTranslationsComplete: both languages have the same keys, and every
// key a template names literally exists.
func TestTranslationsComplete(t *testing.T) {
	tr, err := loadTranslations()
	if err != nil {
		t.Fatal(err)
	}
	for k := range tr.m[langID] {
		if _, ok := tr.m[langEN][k]; !ok {
			t.Errorf("%s: no English", k)
		}
	}
	for k := range tr.m[langEN] {
		if _, ok := tr.m[langID][k]; !ok {
			t.Errorf("%s: no Indonesian", k)
		}
	}
	re := regexp.MustCompile(`\.T "([a-z0-9.]+)"|\.Th "[a-z]+" "([a-z0-9.]+)"`)
	err = fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			if _, ok := tr.m[langID][key]; !ok {
				t.Errorf("%s uses %q, which has no translation", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFormat(t *testing.T) {
	wita, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 0, 31, 0, 0, time.UTC) // 08:31 WITA, a Tuesday
	id, en := formatter{lang: langID, loc: wita}, formatter{lang: langEN, loc: wita}
	for _, c := range []struct{ got, want string }{
		{id.Date(at), "Selasa, 1 Desember 2026"},
		{en.Date(at), "Tuesday, 1 December 2026"},
		{id.DateTime(at), "1 Des 2026 08.31 WITA"},
		{en.DateTime(at), "1 Dec 2026 08:31 WITA"},
		{id.Int(1234567), "1.234.567"},
		{en.Int(-1234), "-1,234"},
		{id.Int(999), "999"},
		{id.Dec(90), "90,0"},
		{id.Dec(-0.25), "-0,3"},
		{en.Dec(1.96), "2.0"},
		{id.Day("2026-12-06"), "Min, 6 Des 2026"},
		{id.HM("07:05:09"), "07.05"},
		{en.HM("07:05:09"), "07:05"},
		{id.Duration(3*time.Hour + 5*time.Minute), "3 j 5 m"},
		{en.Duration(72 * time.Hour), "3 d"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/employees?q=a": "/employees?q=a", "//evil.example/": "", "https://evil.example/": "", "/\\evil": "", "": "", "today": "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
