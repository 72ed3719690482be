// Package testutil locates the real test material (models, face photos, tools)
// that tests across the module share, and turns its absence into a skip on a
// developer machine but a failure in CI, where a missing file is a broken setup.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where missing test
// material must fail the run instead of skipping it.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Missing reports absent test material: t.Fatal in CI, t.Skip elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("missing test material (CI must have it): "+format, args...)
	}
	t.Skipf("missing test material: "+format, args...)
}

var (
	rootOnce sync.Once
	rootDir  string
)

// RepoRoot returns the module root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		dir := filepath.Dir(file)
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return
			}
			dir = parent
		}
	})
	if rootDir == "" {
		t.Fatal("cannot find the module root (go.mod)")
	}
	return rootDir
}

// SharedDir returns ../shared beside the checkout, or $HADIR_SHARED.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("HADIR_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		Missing(t, "shared folder %s (set HADIR_SHARED): %v", dir, err)
	}
	return dir
}

// Dataset returns ../shared/datasets/NAME.
func Dataset(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "datasets", name)
	if _, err := os.Stat(dir); err != nil {
		Missing(t, "dataset %s: %v", dir, err)
	}
	return dir
}

// ModelsDir returns the assembled model directory ($HADIR_MODELS or
// ./models at the module root, made by `make models`) after checking that
// every file go-face opens is there.
func ModelsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("HADIR_MODELS")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "models")
	}
	for _, f := range []string{
		"dlib_face_recognition_resnet_model_v1.dat",
		"mmod_human_face_detector.dat",
		"shape_predictor_5_face_landmarks.dat",
	} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			Missing(t, "model %s (run `make models`): %v", f, err)
		}
	}
	return dir
}

// Tool returns the path of an executable on PATH (ffmpeg, Xvfb, ...).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "tool %s on PATH (installed by `make deps`): %v", name, err)
	}
	return p
}
