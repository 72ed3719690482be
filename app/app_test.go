package app

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hadir-id/hadir/assets"
)

// labels returns the texts of every label in the window.
func labels(w fyne.Window) map[string]bool {
	out := map[string]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			out[v.Text] = true
		case *widget.Button:
			out[v.Text] = true
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(w.Content())
	return out
}

func translations(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

func TestKioskWindowSpeaksTheChosenLanguage(t *testing.T) {
	id, en := translations(t, "id"), translations(t, "en")
	for key := range id {
		if en[key] == "" {
			t.Errorf("key %q has no English translation", key)
		}
	}
	a := test.NewTempApp(t)
	for _, c := range []struct {
		code string
		want map[string]string
	}{{"id", id}, {"en", en}, {"id", id}} {
		if err := SetLanguage(c.code); err != nil {
			t.Fatal(err)
		}
		w := NewKioskWindow(a)
		got := labels(w)
		for _, key := range []string{"kiosk.welcome", "kiosk.not_ready", "kiosk.quit"} {
			if !got[c.want[key]] {
				t.Errorf("%s: window lacks %q (%s); has %v", c.code, c.want[key], key, got)
			}
		}
		if w.Title() != c.want["kiosk.title"] {
			t.Errorf("%s: title %q, want %q", c.code, w.Title(), c.want["kiosk.title"])
		}
		w.Close()
	}
	if err := SetLanguage("fr"); err == nil {
		t.Error("unknown language accepted")
	}
}
