package console

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/hadir-id/hadir/server"
)

// TestCountCodes: counting the LH's bytes gives what decoding it gives,
// even with a name that spells the code key.
func TestCountCodes(t *testing.T) {
	rows := []server.RecapDay{{Name: `Budi "code":"TL"`, Code: "H"}, {Code: "TL/PSW"}, {Code: "TL", Name: `\"code\":\"x`},
		{Code: "TK"}, {Code: "CT", Exception: "CT"}}
	body, err := json.Marshal(map[string]any{"unit": "DINKES", "date": "2026-10-30", "total": 5, "rows": rows})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"H": 1, "TL/PSW": 1, "TL": 1, "TK": 1, "CT": 1}
	if got := countCodes(body); !maps.Equal(got, want) {
		t.Errorf("counted %v, want %v", got, want)
	}
}
