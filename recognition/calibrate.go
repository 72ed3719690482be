package recognition

import (
	"context"
	"fmt"
	"math"
	"sort"
)

// CalibrationOptions tune Calibrate. The zero value means the defaults.
type CalibrationOptions struct {
	// TargetFPIR is the allowed false-positive identification rate per
	// attempt; 0 means DefaultTargetFPIR.
	TargetFPIR float64
}

// Calibration is what Calibrate measured on a gallery and the policy it
// proposes. Rates are per single decision (one photo or frame), before
// the kiosk's agreement across frames.
type Calibration struct {
	TargetFPIR float64 `json:"target_fpir"`
	People     int     `json:"people"`
	Templates  int     `json:"templates"`
	// ImpostorTrials: every template searched against the gallery without
	// its owner (each person a stranger to the rest).
	ImpostorTrials int `json:"impostor_trials"`
	// GenuineTrials: every template of a person with at least two,
	// searched against the gallery without that one template.
	GenuineTrials int `json:"genuine_trials"`
	// MinImpostorTrials is how many impostor trials TargetFPIR needs
	// (3/target: with none accepted, the 95 % upper bound of the rate is
	// then the target).
	MinImpostorTrials int `json:"min_impostor_trials"`
	// Proposed is the policy to use; Reliable says whether it rests on
	// enough trials or is the default kept for a gallery too small.
	Proposed Policy   `json:"proposed"`
	Reliable bool     `json:"reliable"`
	Estimate Estimate `json:"estimate"` // of Proposed on this gallery
	Current  Estimate `json:"current"`  // of DefaultPolicy on this gallery
	// Distances summarises the two distributions (Euclidean).
	Impostor Spread   `json:"impostor_nearest"` // stranger to nearest person
	Genuine  Spread   `json:"genuine_own"`      // template to own nearest other template
	Warnings []string `json:"warnings,omitempty"`
}

// Estimate is a policy's measured error rates on the gallery's own trials.
type Estimate struct {
	Policy            Policy  `json:"policy"`
	FPIR              float64 `json:"fpir"`                // strangers accepted as someone
	FPIRUpper         float64 `json:"fpir_upper_95"`       // one-sided 95 % upper bound of FPIR (Wilson)
	FalseAccepts      int     `json:"false_accepts"`       // their count
	FNIR              float64 `json:"fnir"`                // genuine attempts not accepted as themselves
	Misidentification float64 `json:"misidentification"`   // genuine attempts accepted as someone else
	GenuineAccepted   int     `json:"genuine_accepted"`    // their count
	WrongPerson       int     `json:"wrong_person_accept"` // count of misidentifications
}

// Spread is a few quantiles of a distance distribution; zero when empty.
type Spread struct {
	Min    float64 `json:"min"`
	P1     float64 `json:"p1"`
	Median float64 `json:"median"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
}

// trial is one search of a calibration: the nearest person's distance
// and margin, and whether that person was the probe's own.
type trial struct {
	dist, margin float64
	own          bool
}

// accepts reports whether p accepts t (as whoever is nearest).
func (p Policy) accepts(t trial) bool {
	return t.dist <= p.Threshold && (t.margin >= p.Margin || math.IsInf(t.margin, 1))
}

// Calibrate measures g's impostor trials (leave-one-person-out: each
// person's templates searched as a stranger's against everyone else) and
// genuine trials (leave-one-template-out against the full gallery), and
// proposes the threshold and margin with the lowest FNIR whose FPIR on the
// impostor trials is within the target, inside SafeBounds. g is left as it
// was; it must not change during the call. See policy.go for the method's
// limits.
func Calibrate(ctx context.Context, g *Gallery, opts CalibrationOptions) (Calibration, error) {
	target := opts.TargetFPIR
	if target == 0 {
		target = DefaultTargetFPIR
	}
	if !(target > 0 && target < 1) {
		return Calibration{}, fmt.Errorf("calibrate: target FPIR %v outside (0, 1)", target)
	}
	people := g.snapshot()
	c := Calibration{TargetFPIR: target, People: len(people), MinImpostorTrials: int(math.Ceil(3 / target))}
	ids := make([]string, 0, len(people))
	for id, ts := range people {
		ids = append(ids, id)
		c.Templates += len(ts)
	}
	sort.Strings(ids)

	work := NewGallery()
	for _, id := range ids {
		work.Set(id, people[id])
	}
	var impostor, genuine []trial
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return Calibration{}, fmt.Errorf("calibrate: %w", err)
		}
		ts := people[id]
		work.Remove(id)
		for _, t := range ts {
			m := work.Search(t)
			if m.ID != "" {
				impostor = append(impostor, trial{dist: m.Distance, margin: m.SecondDistance - m.Distance})
			}
		}
		if len(ts) >= 2 {
			rest := make([]Descriptor, 0, len(ts)-1)
			for i, t := range ts {
				rest = append(rest[:0], ts[:i]...)
				rest = append(rest, ts[i+1:]...)
				work.Set(id, rest)
				m := work.Search(t)
				genuine = append(genuine, trial{dist: m.Distance, margin: m.SecondDistance - m.Distance, own: m.ID == id})
			}
		}
		work.Set(id, ts)
	}
	c.ImpostorTrials, c.GenuineTrials = len(impostor), len(genuine)
	c.Impostor = spreadOf(impostor, func(trial) bool { return true })
	c.Genuine = spreadOf(genuine, func(t trial) bool { return t.own })
	c.Current = estimate(DefaultPolicy(), impostor, genuine)
	c.Proposed, c.Estimate, c.Reliable = DefaultPolicy(), c.Current, false

	switch {
	case c.ImpostorTrials < c.MinImpostorTrials:
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"gallery too small to estimate an FPIR of %.2g %%: %d impostor trials, need at least %d (3/target); keeping the default policy",
			100*target, c.ImpostorTrials, c.MinImpostorTrials))
	case c.GenuineTrials == 0:
		c.Warnings = append(c.Warnings, "no person has two templates: FNIR cannot be measured; keeping the default policy")
	default:
		if best, ok := sweep(target, impostor, genuine); ok {
			c.Proposed, c.Estimate, c.Reliable = best.Policy, best, true
		} else {
			c.Warnings = append(c.Warnings, fmt.Sprintf(
				"no threshold and margin within the safe bounds reach an FPIR of %.2g %% on this gallery; keeping the default policy", 100*target))
		}
	}
	if c.GenuineTrials < 100 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("only %d genuine trials: the FNIR estimate is rough", c.GenuineTrials))
	}
	return c, nil
}

// sweep returns the estimate with the lowest FNIR among the grid points
// inside SafeBounds whose impostor FPIR is at or under target with 95 %
// confidence (its Wilson upper bound: the point estimate alone picks the
// loosest point the sample allows, and held-out strangers then exceed the
// target: 7.3 % for 5 % on the mixed ORL+idols roster); ties go to the
// lower FPIR, then to the stricter point (lower threshold, higher margin).
func sweep(target float64, impostor, genuine []trial) (Estimate, bool) {
	b := SafeBounds()
	var best Estimate
	found := false
	for t := sweepMinThreshold; t <= b.Threshold+1e-9; t += sweepStep {
		for m := sweepMaxMargin; m >= b.Margin-1e-9; m -= sweepStep {
			p := Policy{Threshold: round3(t), Margin: round3(m)}
			e := estimate(p, impostor, genuine)
			if e.FPIRUpper > target {
				continue
			}
			if !found || e.FNIR < best.FNIR || e.FNIR == best.FNIR && e.FPIR < best.FPIR {
				best, found = e, true
			}
		}
	}
	return best, found
}

// The calibration grid: thresholds from sweepMinThreshold to the safe
// maximum, margins from sweepMaxMargin down to the safe minimum.
const (
	sweepMinThreshold = 0.30
	sweepMaxMargin    = 0.15
	sweepStep         = 0.005
)

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func estimate(p Policy, impostor, genuine []trial) Estimate {
	e := Estimate{Policy: p}
	for _, t := range impostor {
		if p.accepts(t) {
			e.FalseAccepts++
		}
	}
	for _, t := range genuine {
		switch {
		case p.accepts(t) && t.own:
			e.GenuineAccepted++
		case p.accepts(t):
			e.WrongPerson++
		}
	}
	if len(impostor) > 0 {
		e.FPIR = float64(e.FalseAccepts) / float64(len(impostor))
		e.FPIRUpper = wilsonUpper(e.FalseAccepts, len(impostor))
	}
	if len(genuine) > 0 {
		e.FNIR = 1 - float64(e.GenuineAccepted)/float64(len(genuine))
		e.Misidentification = float64(e.WrongPerson) / float64(len(genuine))
	}
	return e
}

// wilsonUpper is the one-sided 95 % upper bound of a rate of k in n
// (Wilson score interval): about 2.7/n for k = 0, which is why a target
// rate needs some 3/target trials.
func wilsonUpper(k, n int) float64 {
	const z = 1.6449
	p, nf := float64(k)/float64(n), float64(n)
	c := p + z*z/(2*nf) + z*math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return math.Min(1, c/(1+z*z/nf))
}

func spreadOf(ts []trial, keep func(trial) bool) Spread {
	var d []float64
	for _, t := range ts {
		if keep(t) {
			d = append(d, t.dist)
		}
	}
	if len(d) == 0 {
		return Spread{}
	}
	sort.Float64s(d)
	q := func(f float64) float64 { return round3(d[int(math.Round(f*float64(len(d)-1)))]) }
	return Spread{Min: q(0), P1: q(0.01), Median: q(0.5), P99: q(0.99), Max: q(1)}
}

// snapshot copies every person's templates.
func (g *Gallery) snapshot() map[string][]Descriptor {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make(map[string][]Descriptor, len(g.index))
	for id, p := range g.index {
		ts := make([]Descriptor, 0, len(g.slots[p]))
		for _, s := range g.slots[p] {
			ts = append(ts, g.exact[s])
		}
		out[id] = ts
	}
	return out
}
