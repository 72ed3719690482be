package server

import (
	"testing"

	"github.com/hadir-id/hadir/api"
)

func TestCheckAdaptedBoundsWhatAKioskLearns(t *testing.T) {
	var base [DescriptorLen]float32
	base[0] = 1
	near := base
	near[1] = 0.2
	far := base
	far[0], far[2] = 0, 1
	enrolled := Template{ID: "e", Descriptor: base}
	ad := func(d [DescriptorLen]float32) Template { return Template{ID: "a", Descriptor: d, Adapted: true} }
	many := []Template{enrolled}
	for range api.MaxAdaptedTemplates + 1 {
		many = append(many, ad(near))
	}
	for _, c := range []struct {
		name string
		tpls []Template
		ok   bool
	}{
		{"enrolled only", []Template{enrolled}, true},
		{"adapted near the enrollment", []Template{enrolled, ad(near)}, true},
		{"at the bound", many[:1+api.MaxAdaptedTemplates], true},
		{"over the bound", many, false},
		{"adapted only", []Template{ad(near)}, false},
		{"adapted far from the enrollment", []Template{enrolled, ad(far)}, false},
	} {
		if err := checkAdapted(c.tpls); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
