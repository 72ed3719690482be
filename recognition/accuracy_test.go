package recognition

import (
	"path/filepath"
	"strings"
	"testing"
)

// The acceptance protocols of the foundation issue, on real photos, with
// DefaultPolicy: enrolled people are found or "unknown", never someone else;
// never-enrolled people are always "unknown".

func orlIndex(file string) int {
	var k int
	for _, c := range strings.TrimSuffix(filepath.Base(file), ".pgm") {
		k = k*10 + int(c-'0')
	}
	return k
}

func TestORLEnrollThreeIdentifySeven(t *testing.T) {
	photos := datasetPhotos(t, "orl", "s*/*.pgm")
	g := NewGallery()
	for _, p := range photos {
		if orlIndex(p.file) <= 3 {
			f, err := Single(p.faces)
			if err != nil {
				t.Fatalf("enrollment image %s: %v", p.file, err)
			}
			g.Add(p.person, f.Descriptor)
		}
	}
	policy := DefaultPolicy()
	var probes, correct, wrong int
	for _, p := range photos {
		if orlIndex(p.file) <= 3 {
			continue
		}
		probes++
		f, err := Single(p.faces)
		if err != nil {
			continue // counted as not identified
		}
		d := policy.Decide(g.Search(f.Descriptor))
		switch {
		case d.ID == p.person:
			correct++
		case d.ID != "":
			wrong++
			t.Errorf("%s identified as %s (distance %.3f margin %.3f)", p.file, d.ID, d.Distance, d.Margin)
		}
	}
	rate := float64(correct) / float64(probes)
	t.Logf("ORL: %d/%d correct (%.1f %%), %d wrong", correct, probes, 100*rate, wrong)
	if probes != 280 || rate < 0.95 || wrong != 0 {
		t.Fatalf("ORL: %d probes, %.1f %% correct, %d wrong; want 280, >= 95 %%, 0", probes, 100*rate, wrong)
	}
}

func TestORLNeverEnrolledIsUnknown(t *testing.T) {
	photos := datasetPhotos(t, "orl", "s*/*.pgm")
	policy := DefaultPolicy()
	subjects := map[string]bool{}
	for _, p := range photos {
		subjects[p.person] = true
	}
	for subject := range subjects {
		g := NewGallery()
		for _, p := range photos {
			if p.person != subject && orlIndex(p.file) <= 3 && len(p.faces) == 1 {
				g.Add(p.person, p.faces[0].Descriptor)
			}
		}
		for _, p := range photos {
			if p.person != subject || len(p.faces) == 0 {
				continue
			}
			if d := policy.Decide(g.Search(p.faces[0].Descriptor)); d.Accepted() {
				t.Errorf("never-enrolled %s identified as %s (distance %.3f margin %.3f)", p.file, d.ID, d.Distance, d.Margin)
			}
		}
	}
}

func TestIdolsNeverSomeoneElse(t *testing.T) {
	photos := datasetPhotos(t, "idols", "*/*.jpg")
	byPerson := map[string][]photo{}
	for _, p := range photos {
		if p.person != "_groups" {
			byPerson[p.person] = append(byPerson[p.person], p)
		}
	}
	g := NewGallery()
	var probes []photo
	enrolled := map[string]bool{}
	for person, ps := range byPerson {
		if len(ps) < 3 {
			continue
		}
		enrolled[person] = true
		n := 0
		for _, p := range ps { // the first two photos with one face enroll
			if f, err := Single(p.faces); err == nil && n < 2 {
				g.Add(person, f.Descriptor)
				n++
			} else if err == nil {
				probes = append(probes, p)
			}
		}
	}
	for person, ps := range byPerson {
		if !enrolled[person] {
			probes = append(probes, ps...)
		}
	}
	if len(enrolled) != 4 || len(probes) < 20 {
		t.Fatalf("protocol setup: %d enrolled people, %d probes", len(enrolled), len(probes))
	}
	policy := DefaultPolicy()
	accepted := 0
	for _, p := range probes {
		for _, f := range p.faces {
			d := policy.Decide(g.Search(f.Descriptor))
			switch {
			case d.Accepted() && d.ID == p.person:
				accepted++
			case d.Accepted() && !enrolled[p.person]:
				t.Errorf("never-enrolled %s identified as %s (distance %.3f margin %.3f)", p.file, d.ID, d.Distance, d.Margin)
			case d.Accepted():
				t.Errorf("%s identified as someone else: %s (distance %.3f margin %.3f)", p.file, d.ID, d.Distance, d.Margin)
			}
		}
	}
	t.Logf("idols: %d enrolled people, %d probe photos, %d correctly identified, the rest unknown", len(enrolled), len(probes), accepted)
}
