package kiosk

import (
	"fmt"
	"testing"

	hsync "github.com/hadir-id/hadir/sync"
)

// TestInsecureHTTPNeedsTheLabFlag: the kiosk refuses a plain-http sync
// server unless started with --lab-insecure-http (issue 13 #16), and the
// refusal has a key of its own (app's TestEveryKeyUsedExists checks it
// is translated).
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
	}
}
