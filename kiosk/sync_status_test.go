package kiosk

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hadir-id/hadir/assets"
	hsync "github.com/hadir-id/hadir/sync"
)

// TestInsecureHTTPNeedsTheLabFlag: the kiosk refuses a plain-http sync
// server unless started with --lab-insecure-http (issue 13 #16), and the
// refusal reaches the operator as a sentence in both languages.
func TestInsecureHTTPNeedsTheLabFlag(t *testing.T) {
	def, err := ParseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if SyncOptions(def).AllowInsecureHTTP {
		t.Error("a kiosk started without flags allows plain http")
	}
	lab, err := ParseConfig([]string{"--lab-insecure-http"})
	if err != nil {
		t.Fatal(err)
	}
	if !SyncOptions(lab).AllowInsecureHTTP {
		t.Error("--lab-insecure-http does not reach the sync options")
	}
	for _, e := range []error{hsync.ErrInsecureURL, hsync.ErrRekeyRefused} {
		key := SyncErrorKey(fmt.Errorf("register: %w", e))
		if key == "sync.problem.other" {
			t.Errorf("%v is shown as an unspecified problem", e)
		}
		for _, code := range []string{"id", "en"} {
			b, err := assets.Translations.ReadFile("translations/" + code + ".json")
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s.json: %v", code, err)
			}
			if _, ok := m[key]; !ok {
				t.Errorf("%s: no translation for %s", code, key)
			}
		}
	}
}
