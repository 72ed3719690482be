package sync

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs a child mode (a kiosk process the tests SIGKILL) when
// HADIR_SYNC_CHILD is set, else the tests with a temp dir for the
// server binary.
func TestMain(m *testing.M) {
	if mode := os.Getenv(envChild); mode != "" {
		if err := runChild(mode); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	var err error
	tmpRoot, err = os.MkdirTemp("", "hadir-sync-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}
