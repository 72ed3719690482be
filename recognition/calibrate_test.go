package recognition

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
)

// heldOut is what a calibrated policy did on people it never saw.
type heldOut struct {
	strangers, accepted int // never-enrolled attempts, and those accepted
	genuine, found      int // enrolled people's other photos, and those found
	wrong               int // enrolled photos accepted as someone else
}

func (h *heldOut) add(o heldOut) {
	h.strangers += o.strangers
	h.accepted += o.accepted
	h.genuine += o.genuine
	h.found += o.found
	h.wrong += o.wrong
}

func (h heldOut) fpir() float64 { return float64(h.accepted) / math.Max(1, float64(h.strangers)) }
func (h heldOut) fnir() float64 { return 1 - float64(h.found)/math.Max(1, float64(h.genuine)) }

// measure applies p on g to the probes of enrolled people and to those of
// strangers (people not in g).
func measure(g *Gallery, p Policy, enrolled, strangers []photo) heldOut {
	var h heldOut
	for _, ph := range strangers {
		for _, f := range ph.faces {
			h.strangers++
			if p.Decide(g.Search(f.Descriptor)).Accepted() {
				h.accepted++
			}
		}
	}
	for _, ph := range enrolled {
		f, err := Single(ph.faces)
		h.genuine++
		if err != nil {
			continue
		}
		switch d := p.Decide(g.Search(f.Descriptor)); {
		case d.ID == ph.person:
			h.found++
		case d.Accepted():
			h.wrong++
		}
	}
	return h
}

// orlFold splits ORL for leave-subjects-out fold k of 4: subjects
// s(10k+1)..s(10k+10) are never enrolled; the others enroll images 1-5
// and probe with 6-10.
func orlFold(t *testing.T, k int) (g *Gallery, probes, strangers []photo) {
	g = NewGallery()
	for _, p := range datasetPhotos(t, "orl", "s*/*.pgm") {
		var n int
		fmt.Sscanf(p.person, "s%d", &n)
		switch {
		case (n-1)/10 == k:
			strangers = append(strangers, p)
		case orlIndex(p.file) <= 5:
			if f, err := Single(p.faces); err == nil {
				g.Add(p.person, f.Descriptor)
			}
		default:
			probes = append(probes, p)
		}
	}
	return g, probes, strangers
}

// idolsSplit enrolls the idols who have at least two single-face photos
// with all but their last, which becomes a probe; the others are
// strangers (their photos, and every face of the group photo is left out:
// some of its members are enrolled).
func idolsSplit(t *testing.T) (g *Gallery, probes, strangers []photo) {
	byPerson := map[string][]photo{}
	for _, p := range datasetPhotos(t, "idols", "*/*.jpg") {
		if _, err := Single(p.faces); err == nil && p.person != "_groups" {
			byPerson[p.person] = append(byPerson[p.person], p)
		}
	}
	g = NewGallery()
	for person, ps := range byPerson {
		if len(ps) < 2 {
			strangers = append(strangers, ps...)
			continue
		}
		for _, p := range ps[:len(ps)-1] {
			g.Add(person, p.faces[0].Descriptor)
		}
		probes = append(probes, ps[len(ps)-1])
	}
	return g, probes, strangers
}

func mergeGalleries(a, b *Gallery) *Gallery {
	g := NewGallery()
	for _, src := range []*Gallery{a, b} {
		for id, ts := range src.snapshot() {
			g.Set(id, ts)
		}
	}
	return g
}

// TestCalibrationHoldsOnNeverEnrolledPeople is issue 17's acceptance:
// calibrate on the enrolled people only, then count the strangers the
// proposed policy accepts (leave-subjects-out). At or under the target,
// always; a gallery too small for the target keeps the defaults.
func TestCalibrationHoldsOnNeverEnrolledPeople(t *testing.T) {
	ctx := context.Background()
	for _, target := range []float64{DefaultTargetFPIR, 0.02, 0.05} {
		t.Run(fmt.Sprintf("orl/%g", target), func(t *testing.T) {
			var total heldOut
			for k := range 4 {
				g, probes, strangers := orlFold(t, k)
				c, err := Calibrate(ctx, g, CalibrationOptions{TargetFPIR: target})
				if err != nil {
					t.Fatal(err)
				}
				checkProposal(t, c)
				h := measure(g, c.Proposed, probes, strangers)
				t.Logf("fold %d: %d impostor / %d genuine trials, proposed %.3f/%.3f (reliable %v, est. FPIR %.4f FNIR %.3f); held out: FPIR %d/%d, FNIR %.3f, wrong %d",
					k, c.ImpostorTrials, c.GenuineTrials, c.Proposed.Threshold, c.Proposed.Margin, c.Reliable, c.Estimate.FPIR, c.Estimate.FNIR,
					h.accepted, h.strangers, h.fnir(), h.wrong)
				total.add(h)
			}
			t.Logf("ORL target %g: never-enrolled FPIR %.4f (%d/%d), enrolled FNIR %.3f, wrong person %d",
				target, total.fpir(), total.accepted, total.strangers, total.fnir(), total.wrong)
			if total.fpir() > target || total.wrong > 0 {
				t.Errorf("held-out FPIR %.4f over target %g, or %d wrong", total.fpir(), target, total.wrong)
			}
		})
	}
	t.Run("idols", func(t *testing.T) {
		g, probes, strangers := idolsSplit(t)
		c, err := Calibrate(ctx, g, CalibrationOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkProposal(t, c)
		if c.Reliable || c.Proposed != DefaultPolicy() || len(c.Warnings) == 0 {
			t.Errorf("idols gallery (%d templates) is far too small for 0.3 %%: %+v", c.Templates, c)
		}
		h := measure(g, c.Proposed, probes, strangers)
		t.Logf("idols: %d people, %d impostor trials: %v; held out: FPIR %d/%d, FNIR %.3f (%d probes)", c.People, c.ImpostorTrials, c.Warnings, h.accepted, h.strangers, h.fnir(), h.genuine)
		if h.accepted > 0 || h.wrong > 0 {
			t.Errorf("idols: %d strangers accepted, %d wrong", h.accepted, h.wrong)
		}
	})
	t.Run("orl+idols/0.05", func(t *testing.T) {
		// A mixed roster: strangers from both populations.
		og, oprobes, ostrangers := orlFold(t, 3)
		ig, iprobes, istrangers := idolsSplit(t)
		g := mergeGalleries(og, ig)
		c, err := Calibrate(ctx, g, CalibrationOptions{TargetFPIR: 0.05})
		if err != nil {
			t.Fatal(err)
		}
		checkProposal(t, c)
		all := measure(g, c.Proposed, append(oprobes, iprobes...), append(ostrangers, istrangers...))
		idols := measure(g, c.Proposed, iprobes, istrangers)
		t.Logf("mixed: proposed %.3f/%.3f from %d impostor trials; held out FPIR %d/%d (idol strangers %d/%d), FNIR %.3f",
			c.Proposed.Threshold, c.Proposed.Margin, c.ImpostorTrials, all.accepted, all.strangers, idols.accepted, idols.strangers, all.fnir())
		if !c.Reliable || all.fpir() > 0.05 || all.wrong > 0 {
			t.Errorf("mixed gallery: reliable %v, held-out FPIR %.4f, %d wrong", c.Reliable, all.fpir(), all.wrong)
		}
	})
}

// checkProposal: never looser than the safe bounds, counts consistent.
func checkProposal(t *testing.T, c Calibration) {
	t.Helper()
	b := SafeBounds()
	if c.Proposed.Threshold > b.Threshold || c.Proposed.Margin < b.Margin {
		t.Errorf("proposed %+v looser than the safe bounds %+v", c.Proposed, b)
	}
	if c.Reliable && c.Estimate.FPIR > c.TargetFPIR {
		t.Errorf("reliable proposal with estimated FPIR %.4f over target %g", c.Estimate.FPIR, c.TargetFPIR)
	}
	if c.Reliable != (c.ImpostorTrials >= c.MinImpostorTrials) && c.GenuineTrials > 0 {
		t.Errorf("reliable %v with %d of %d impostor trials", c.Reliable, c.ImpostorTrials, c.MinImpostorTrials)
	}
}

// TestCalibrateCountsTrials checks the leave-one-out bookkeeping on a
// gallery small enough to count by hand, and that it is left unchanged.
func TestCalibrateCountsTrials(t *testing.T) {
	g := NewGallery()
	at := func(x float32) Descriptor { var d Descriptor; d[0] = x; return d }
	g.Set("a", []Descriptor{at(0), at(0.1)})
	g.Set("b", []Descriptor{at(1), at(1.2), at(1.1)})
	g.Set("c", []Descriptor{at(3)})
	c, err := Calibrate(context.Background(), g, CalibrationOptions{TargetFPIR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if c.People != 3 || c.Templates != 6 || c.ImpostorTrials != 6 || c.GenuineTrials != 5 || c.MinImpostorTrials != 6 {
		t.Fatalf("counts: %+v", c)
	}
	// Genuine: a's two templates are 0.1 apart, b's nearest own 0.1; all
	// found at any threshold >= 0.1 with a clear margin.
	if c.Estimate.FNIR != 0 || c.Genuine.Max > 0.1001 {
		t.Errorf("genuine: FNIR %.3f, spread %+v", c.Estimate.FNIR, c.Genuine)
	}
	// Impostors: the nearest other person is >= 0.9 away: none accepted.
	if c.Estimate.FalseAccepts != 0 || c.Impostor.Min < 0.89 {
		t.Errorf("impostors: %d accepted, spread %+v", c.Estimate.FalseAccepts, c.Impostor)
	}
	after := g.snapshot()
	ids := make([]string, 0, len(after))
	for id := range after {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if fmt.Sprint(ids) != "[a b c]" || len(after["b"]) != 3 {
		t.Errorf("gallery changed by Calibrate: %v", after)
	}
	if _, err := Calibrate(context.Background(), g, CalibrationOptions{TargetFPIR: 2}); err == nil {
		t.Error("target 2 accepted")
	}
}
