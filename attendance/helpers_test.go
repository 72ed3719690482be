package attendance

import (
	"strings"
	"testing"
	"time"
)

// nightShiftTOML adds a puskesmas night shift 21:00–07:00 to a config.
const nightShiftTOML = `
[[shifts]]
name = "night"
check_in = { from = "18:00", to = "24:00" }
check_out = { from = "00:00", to = "12:00" }

[[shifts.hours]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "21:00"
end = "07:00"
`

// testConfig is the example schedule in zone, plus the night shift.
func testConfig(t *testing.T, zone string) *Config {
	t.Helper()
	src := strings.Replace(string(exampleTOML), `time_zone = "Asia/Jakarta"`, `time_zone = "`+zone+`"`, 1)
	c, err := Parse([]byte(src + nightShiftTOML))
	if err != nil {
		t.Fatalf("test config %s: %v", zone, err)
	}
	return c
}

// local parses "2006-01-02 15:04[:05]" in the config's zone.
func local(t *testing.T, c *Config, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout = time.DateTime
	}
	v, err := time.ParseInLocation(layout, s, c.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ev builds a synced event from device "k1".
func ev(kind Kind, at time.Time) Event {
	return Event{Kind: kind, Time: at, DeviceID: "k1", Synced: true}
}

// afterAll is a "now" long after every test date: verdicts are final.
var afterAll = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
