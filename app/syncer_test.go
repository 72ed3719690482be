package app

import (
	"fmt"
	"testing"

	hsync "github.com/hadir-id/hadir/sync"
)

// TestInsecureHTTPNeedsTheLabFlag: the kiosk refuses a plain-http sync
// server unless started with --lab-insecure-http (issue 13 #16), and the
// refusal reaches the operator as a sentence in both languages.
func TestInsecureHTTPNeedsTheLabFlag(t *testing.T) {
	def, err := parseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if syncOptions(def).AllowInsecureHTTP {
		t.Error("a kiosk started without flags allows plain http")
	}
	lab, err := parseConfig([]string{"--lab-insecure-http"})
	if err != nil {
		t.Fatal(err)
	}
	if !syncOptions(lab).AllowInsecureHTTP {
		t.Error("--lab-insecure-http does not reach the sync options")
	}
	for _, e := range []error{hsync.ErrInsecureURL, hsync.ErrRekeyRefused} {
		key := syncErrorKey(fmt.Errorf("register: %w", e))
		if key == "sync.problem.other" {
			t.Errorf("%v is shown as an unspecified problem", e)
		}
		for _, code := range []string{"id", "en"} {
			if _, ok := translations(t, code)[key]; !ok {
				t.Errorf("%s: no translation for %s", code, key)
			}
		}
	}
}
