package recognition

import (
	"math/rand/v2"
	"testing"
)

// TestScanInt8MatchesGo checks the C scan (AVX2 on a CPU that has it)
// against the definition, on random templates and the extremes of the
// quantized range, where a narrower accumulator would overflow.
func TestScanInt8MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 1001
	probe := make([]int8, 128)
	gallery := make([]int8, n*128)
	for i := range probe {
		probe[i] = int8(rng.IntN(255) - 127)
	}
	for i := range gallery {
		gallery[i] = int8(rng.IntN(255) - 127)
	}
	for k := range 128 { // template 0: as far from an all-127 probe as can be
		probe[k], gallery[k] = 127, -127
	}
	out := make([]int32, n)
	scanInt8(probe, gallery, out)
	for i := range n {
		var want int32
		for k := range 128 {
			d := int32(probe[k]) - int32(gallery[i*128+k])
			want += d * d
		}
		if out[i] != want {
			t.Fatalf("template %d: scan %d, want %d", i, out[i], want)
		}
	}
	if out[0] != 128*254*254 {
		t.Fatalf("extreme template: %d, want %d", out[0], 128*254*254)
	}
}
