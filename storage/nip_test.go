package storage

import "testing"

func TestValidNIPHelperProducesValidNIPs(t *testing.T) {
	seen := map[string]bool{}
	for n := 0; n < 20000; n += 7 {
		nip := validNIP(n)
		if err := ValidateNIP(nip); err != nil {
			t.Fatalf("validNIP(%d) = %s: %v", n, nip, err)
		}
		if seen[nip] {
			t.Fatalf("validNIP(%d) = %s repeats", n, nip)
		}
		seen[nip] = true
	}
}
