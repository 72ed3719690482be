package console

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/hadir-id/hadir/attendance"
	"github.com/hadir-id/hadir/server"
)

// TestCountStatuses: counting the report's bytes gives what decoding it
// gives, even with a name that spells a status key.
func TestCountStatuses(t *testing.T) {
	rows := []server.DayRow{{Name: `Budi "status":"late"`, Status: "present"}, {Status: "late"}, {Status: "late", Name: `\"status\":\"x`},
		{Status: "no_record"}, {Status: "CT"}}
	body, err := json.Marshal(map[string]any{"unit": "DINKES", "date": "2026-10-30", "rows": rows})
	if err != nil {
		t.Fatal(err)
	}
	want := map[attendance.Status]int{"present": 1, "late": 2, "no_record": 1, "CT": 1}
	if got := countStatuses(body); !maps.Equal(got, want) {
		t.Errorf("counted %v, want %v", got, want)
	}
}
