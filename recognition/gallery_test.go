package recognition

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// synthPeople makes n people of k templates with realistic geometry: people
// about 0.7 apart, templates of one person about 0.3 apart. With outliers,
// every 7th person has a component beyond the int8 range (dlib's stay
// within ±0.5), exercising the clamp path.
func synthPeople(rng *rand.Rand, n, k int, outliers bool) map[string][]Descriptor {
	out := make(map[string][]Descriptor, n)
	for i := 0; i < n; i++ {
		var c Descriptor
		for j := range c {
			c[j] = float32(rng.NormFloat64() * 0.045)
		}
		ts := make([]Descriptor, k)
		for t := range ts {
			for j := range c {
				ts[t][j] = c[j] + float32(rng.NormFloat64()*0.019)
			}
		}
		// One outlier component exercises the int8 clamp.
		if outliers && i%7 == 0 {
			ts[0][i%128] = 0.9
		}
		out[fmt.Sprintf("p%05d", i)] = ts
	}
	return out
}

// bruteForce is the reference 1:N search.
func bruteForce(people map[string][]Descriptor, q Descriptor) Match {
	m := Match{Distance: math.Inf(1), SecondDistance: math.Inf(1)}
	for id, ts := range people {
		best := math.Inf(1)
		for _, t := range ts {
			best = math.Min(best, Distance(q, t))
		}
		if best < m.Distance {
			m.SecondID, m.SecondDistance = m.ID, m.Distance
			m.ID, m.Distance = id, best
		} else if best < m.SecondDistance {
			m.SecondID, m.SecondDistance = id, best
		}
	}
	return m
}

func TestGallerySearchEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	people := synthPeople(rng, 400, 3, true)
	g := NewGallery()
	for id, ts := range people {
		g.Set(id, ts)
	}
	check := func(stage string) {
		t.Helper()
		ids := make([]string, 0, len(people))
		for id := range people {
			ids = append(ids, id)
		}
		for i := 0; i < 150; i++ {
			var q Descriptor
			switch i % 3 {
			case 0: // a genuine probe near someone's template
				src := people[ids[rng.IntN(len(ids))]][0]
				for j := range q {
					q[j] = src[j] + float32(rng.NormFloat64()*0.02)
				}
			case 1: // a stranger
				for j := range q {
					q[j] = float32(rng.NormFloat64() * 0.045)
				}
			default: // exactly a stored template
				q = people[ids[rng.IntN(len(ids))]][1]
			}
			want, got := bruteForce(people, q), g.Search(q)
			if got.ID != want.ID || got.SecondID != want.SecondID ||
				math.Abs(got.Distance-want.Distance) > 1e-6 || math.Abs(got.SecondDistance-want.SecondDistance) > 1e-6 {
				t.Fatalf("%s: probe %d: got %+v, want %+v", stage, i, got, want)
			}
		}
		if n, _ := g.Len(); n != len(people) {
			t.Fatalf("%s: Len %d, want %d", stage, n, len(people))
		}
	}
	check("initial")

	// Churn: remove some, replace some, add templates to some, add new people.
	i := 0
	for id := range people {
		switch i % 4 {
		case 0:
			g.Remove(id)
			delete(people, id)
		case 1:
			fresh := synthPeople(rng, 1, 2, true)["p00000"]
			g.Set(id, fresh)
			people[id] = fresh
		case 2:
			extra := synthPeople(rng, 1, 1, true)["p00000"][0]
			g.Add(id, extra)
			people[id] = append(people[id], extra)
		}
		i++
	}
	for id, ts := range synthPeople(rng, 50, 4, true) {
		g.Set("new-"+id, ts)
		people["new-"+id] = ts
	}
	check("after churn")
}

func TestGalleryEdgeCases(t *testing.T) {
	g := NewGallery()
	var q Descriptor
	if m := g.Search(q); m.ID != "" || !math.IsInf(m.Distance, 1) {
		t.Fatalf("empty gallery: %+v", m)
	}
	var a Descriptor
	a[0] = 0.1
	g.Set("only", []Descriptor{a})
	m := g.Search(q)
	if m.ID != "only" || math.Abs(m.Distance-0.1) > 1e-6 || m.SecondID != "" || !math.IsInf(m.SecondDistance, 1) {
		t.Fatalf("single person: %+v", m)
	}
	g.Set("only", nil)
	if n, tpl := g.Len(); n != 0 || tpl != 0 {
		t.Fatalf("Set(nil) should remove: %d people %d templates", n, tpl)
	}
	g.Remove("nobody") // no panic
}

func TestPolicyDecide(t *testing.T) {
	p := Policy{Threshold: 0.42, Margin: 0.08}
	inf := math.Inf(1)
	cases := []struct {
		name string
		m    Match
		id   string
		why  Reason
	}{
		{"clear match", Match{"a", 0.30, "b", 0.60}, "a", ""},
		{"at threshold and margin", Match{"a", 0.42, "b", 0.50}, "a", ""},
		{"too far", Match{"a", 0.43, "b", 0.90}, "", ReasonTooFar},
		{"ambiguous", Match{"a", 0.30, "b", 0.37}, "", ReasonAmbiguous},
		{"single person, near", Match{"a", 0.30, "", inf}, "a", ""},
		{"single person, far", Match{"a", 0.55, "", inf}, "", ReasonTooFar},
		{"empty gallery", Match{"", inf, "", inf}, "", ReasonEmpty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := p.Decide(c.m)
			if d.ID != c.id || d.Reason != c.why || d.Accepted() != (c.id != "") {
				t.Fatalf("got %+v, want id %q reason %q", d, c.id, c.why)
			}
		})
	}
}
