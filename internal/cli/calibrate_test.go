package cli

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hadir-id/hadir/internal/fixture"
	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/storage"
)

// fillFaces enrolls n people with k templates each, geometry like dlib's:
// people ~0.7 apart, one person's templates ~0.3 apart.
func fillFaces(t *testing.T, dir string, n, k int) {
	t.Helper()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range n {
		nip := fixture.NIP(i)
		if _, err := st.PutEmployee(ctx, storage.Employee{NIP: nip, Name: "Pegawai", Unit: "OPD", Status: storage.StatusActive}); err != nil {
			t.Fatal(err)
		}
		var c [storage.DescriptorLen]float32
		for j := range c {
			c[j] = float32(rng.NormFloat64() * 0.045)
		}
		ts := make([]storage.Template, k)
		for j := range ts {
			for d := range c {
				ts[j].Descriptor[d] = c[d] + float32(rng.NormFloat64()*0.019)
			}
		}
		if _, err := st.AddTemplates(ctx, nip, ts); err != nil {
			t.Fatal(err)
		}
	}
}

func calibrate(t *testing.T, args ...string) (int, recognition.Calibration, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := Run(context.Background(), IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, append([]string{"calibrate"}, args...))
	var c recognition.Calibration
	if code == 0 {
		if err := json.Unmarshal([]byte(out.String()), &c); err != nil {
			t.Fatalf("calibrate printed %q: %v", out.String(), err)
		}
	}
	return code, c, errOut.String()
}

func TestCalibrateProposesWithinSafeBounds(t *testing.T) {
	dir := t.TempDir()
	fillFaces(t, dir, 300, 4)
	code, c, stderr := calibrate(t, "--data", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if c.People != 300 || c.ImpostorTrials != 1200 || c.GenuineTrials != 1200 || c.MinImpostorTrials != 1000 || !c.Reliable {
		t.Fatalf("counts: %+v", c)
	}
	safe := c.Proposed
	if safe.Threshold > recognition.SafeBounds().Threshold || safe.Margin < recognition.SafeBounds().Margin || c.Estimate.FPIR > c.TargetFPIR {
		t.Errorf("proposed %+v with FPIR %.4f: outside the safe bounds or the target", safe, c.Estimate.FPIR)
	}
	if c.Estimate.FNIR > c.Current.FNIR {
		t.Errorf("proposal FNIR %.3f worse than the default's %.3f", c.Estimate.FNIR, c.Current.FNIR)
	}
}

func TestCalibrateSmallGalleryKeepsDefaults(t *testing.T) {
	dir := t.TempDir()
	fillFaces(t, dir, 5, 3)
	code, c, stderr := calibrate(t, "--data", dir, "--target-fpir", "0.01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if c.Reliable || c.Proposed != recognition.DefaultPolicy() || len(c.Warnings) == 0 || !strings.Contains(c.Warnings[0], "too small") {
		t.Errorf("5 people: %+v, want the default policy with a too-small warning", c)
	}
	if c.ImpostorTrials != 15 || c.MinImpostorTrials != 300 || math.IsNaN(c.Current.FNIR) {
		t.Errorf("counts: %+v", c)
	}
	for _, bad := range []string{"0", "1.5", "-0.1"} {
		if code, _, _ := calibrate(t, "--data", dir, "--target-fpir", bad); code != 2 {
			t.Errorf("--target-fpir %s: exit %d, want 2", bad, code)
		}
	}
	if code, _, _ := calibrate(t); code != 2 {
		t.Errorf("no --data: exit %d, want 2", code)
	}
}
