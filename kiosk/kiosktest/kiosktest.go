// Package kiosktest holds what the tests of package kiosk and of the
// kiosk's window (app) both need: a store opened for tests and a face
// detector that finds nobody.
package kiosktest

import (
	"context"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// Store opens a store in dir on the clock now, with PIN hashing cheap
// enough for tests; it is the caller's to close.
func Store(t testing.TB, dir string, now func() time.Time) *storage.Store {
	t.Helper()
	o := storage.DefaultOptions()
	o.Now = now
	o.Argon2 = storage.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	st, err := storage.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// NoFaces is a detector that never finds anyone, for operations and
// screens that need no recognition.
type NoFaces struct{}

// DetectMat finds nobody.
func (NoFaces) DetectMat(context.Context, gocv.Mat) ([]recognition.Face, error) { return nil, nil }

// Detect finds nobody.
func (NoFaces) Detect(context.Context, []byte) ([]recognition.Face, error) { return nil, nil }
