package attendance

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustClock(t *testing.T, s string) Clock {
	t.Helper()
	c, err := ParseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nationalDefault is written out independently of the example file, so the
// test below fails if the example drifts from the documented national rules.
func nationalDefault(t *testing.T) Config {
	c := func(s string) Clock { return mustClock(t, s) }
	weekdays := []Weekday{Weekday(time.Monday), Weekday(time.Tuesday), Weekday(time.Wednesday), Weekday(time.Thursday)}
	fri := []Weekday{Weekday(time.Friday)}
	in := Window{From: c("05:00"), To: c("12:00")}
	out := Window{From: c("12:00"), To: c("24:00")}
	tiers := func(p string) []Tier {
		return []Tier{
			{Name: p + "1", From: 1, To: 30, CutPercent: 0.5},
			{Name: p + "2", From: 31, To: 60, CutPercent: 1},
			{Name: p + "3", From: 61, To: 90, CutPercent: 1.5},
			{Name: p + "4", From: 91, To: 0, CutPercent: 2},
		}
	}
	return Config{
		Version:  1,
		Unit:     "Default (national working time, WIB)",
		TimeZone: "Asia/Jakarta",
		Cooldown: Duration(10 * time.Minute),
		WorkDays: append(append([]Weekday{}, weekdays...), fri...),
		Holidays: []Date{{2026, 1, 1}, {2026, 5, 1}, {2026, 6, 1}, {2026, 8, 17}, {2026, 12, 25}},
		Regular: Schedule{CheckIn: in, CheckOut: out, Hours: []Hours{
			{Days: weekdays, Start: c("07:30"), End: c("16:00")},
			{Days: fri, Start: c("07:30"), End: c("16:30")},
		}},
		Ramadan: []Period{{
			Name: "Ramadan 1447 H", From: Date{2026, 2, 19}, To: Date{2026, 3, 19},
			Schedule: Schedule{CheckIn: in, CheckOut: out, Hours: []Hours{
				{Days: weekdays, Start: c("08:00"), End: c("15:00")},
				{Days: fri, Start: c("08:00"), End: c("15:30")},
			}},
		}},
		LateTiers:  tiers("TL"),
		EarlyTiers: tiers("PSW"),
	}
}

func TestExampleParsesToNationalDefault(t *testing.T) {
	got, err := Parse(exampleTOML)
	if err != nil {
		t.Fatalf("example does not parse: %v", err)
	}
	if got.Location() == nil || got.Location().String() != "Asia/Jakarta" {
		t.Fatalf("Location = %v", got.Location())
	}
	got.loc = nil
	if len(got.Shifts) == 0 {
		got.Shifts = nil
	}
	want := nationalDefault(t)
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("example differs from the national default:\n got %+v\nwant %+v", *got, want)
	}
	def := DefaultConfig()
	def.loc = nil
	def.Shifts = got.Shifts
	if !reflect.DeepEqual(*def, want) {
		t.Fatalf("DefaultConfig differs from the example")
	}
}

func TestDefaultConfigIsAFreshCopy(t *testing.T) {
	a := DefaultConfig()
	a.LateTiers[0].CutPercent = 99
	a.Holidays[0] = Date{1999, 1, 1}
	b := DefaultConfig()
	if b.LateTiers[0].CutPercent != 0.5 || b.Holidays[0] != (Date{2026, 1, 1}) {
		t.Fatal("DefaultConfig shares state between calls")
	}
}

// The night-shift block is commented out in the example; uncommented it
// must parse, so the documentation cannot rot.
func TestExampleShiftBlockParses(t *testing.T) {
	var block []string
	inBlock := false
	for _, line := range strings.Split(string(exampleTOML), "\n") {
		if strings.HasPrefix(line, "# [[shifts]]") {
			inBlock = true
		}
		if !inBlock {
			continue
		}
		if strings.HasPrefix(line, "# ---") {
			break
		}
		block = append(block, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
	}
	if len(block) < 5 {
		t.Fatalf("shift example block not found (%d lines)", len(block))
	}
	src := string(exampleTOML) + "\n" + strings.Join(block, "\n") + "\n"
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("example with shift block: %v", err)
	}
	if len(c.Shifts) != 1 || c.Shifts[0].Name != "night" || c.Shifts[0].Hours[0].End != mustClock(t, "07:00") {
		t.Fatalf("shifts = %+v", c.Shifts)
	}
}

func TestParseRejects(t *testing.T) {
	example := string(exampleTOML)
	tests := []struct {
		name     string
		old, new string // replacement applied to the example
		sentinel error
		mention  []string // substrings the error must contain (key and value)
	}{
		{"future version", "version = 1", "version = 2", ErrUnsupportedVersion,
			[]string{"version = 2"}},
		{"unknown key", `check_in = {`, `chek_in = {`, ErrUnknownKey,
			[]string{"regular.chek_in"}},
		{"unknown nested key", `cut_percent = 0.5`, "cut_percent = 0.5\nextra = 1", ErrUnknownKey,
			[]string{"late_tiers.extra"}},
		{"bad zone", `time_zone = "Asia/Jakarta"`, `time_zone = "Asia/Jakart"`, nil,
			[]string{"time_zone", `"Asia/Jakart"`}},
		{"empty zone", `time_zone = "Asia/Jakarta"`, `time_zone = ""`, nil,
			[]string{"time_zone", `""`}},
		{"bad clock", `start = "07:30"`, `start = "25:00"`, nil,
			[]string{"regular.hours.start", `"25:00"`}},
		{"bad duration", `cooldown = "10m"`, `cooldown = "10 minutes"`, nil,
			[]string{"cooldown", `"10 minutes"`}},
		{"negative cooldown", `cooldown = "10m"`, `cooldown = "-1m"`, nil,
			[]string{"cooldown", `"-1m0s"`}},
		{"bad weekday", `work_days = ["mon",`, `work_days = ["monday",`, nil,
			[]string{"work_days", `"monday"`}},
		{"duplicate work day", `work_days = ["mon",`, `work_days = ["mon", "mon",`, nil,
			[]string{"work_days[1]", `"mon"`}},
		{"work day without hours", `"thu", "fri"]`, `"thu", "fri", "sat"]`, nil,
			[]string{"regular.hours", `"sat"`}},
		{"duplicate holiday", `"2026-05-01", #`, `"2026-01-01", #`, nil,
			[]string{"holidays[1]", `"2026-01-01"`}},
		{"bad holiday", `"2026-05-01", #`, `"2026-13-01", #`, nil,
			[]string{"holidays", `"2026-13-01"`}},
		{"end after check-out window", `check_out = { from = "12:00", to = "24:00" }`,
			`check_out = { from = "12:00", to = "16:15" }`, nil,
			[]string{"regular.hours[1].end", `"16:30"`}},
		{"day longer than 24 hours", `check_out = { from = "12:00", to = "24:00" }`,
			`check_out = { from = "12:00", to = "06:00" }`, nil,
			[]string{"regular.check_out.to", `"06:00"`}},
		{"ramadan ends before it starts", `to = "2026-03-19"`, `to = "2026-02-01"`, nil,
			[]string{"ramadan[0].to", `"2026-02-01"`}},
		{"tier gap", "from = 31\nto = 60\ncut_percent = 1.0\n\n[[late_tiers]]\nname = \"TL3\"\nfrom = 61",
			"from = 31\nto = 60\ncut_percent = 1.0\n\n[[late_tiers]]\nname = \"TL3\"\nfrom = 62", nil,
			[]string{"late_tiers[2].from", "62"}},
		{"closed last tier", "name = \"PSW4\"\nfrom = 91", "name = \"PSW4\"\nfrom = 91\nto = 120", nil,
			[]string{"early_tiers[3].to", "120"}},
		{"negative cut", "cut_percent = 0.5", "cut_percent = -0.5", nil,
			[]string{"late_tiers[0].cut_percent", "-0.5"}},
		{"duplicate tier name", `name = "TL2"`, `name = "TL1"`, nil,
			[]string{"late_tiers[1].name", `"TL1"`}},
		{"syntax error", "version = 1", "version = = 1", nil, []string{"line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(example, tt.old) {
				t.Fatalf("test setup: %q not in example", tt.old)
			}
			_, err := Parse([]byte(strings.Replace(example, tt.old, tt.new, 1)))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %q does not wrap ErrInvalidConfig", err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tt.sentinel)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestShiftValidation(t *testing.T) {
	base := string(exampleTOML)
	tests := []struct {
		name    string
		shift   string
		mention []string
	}{
		{"night shift with the regular windows cannot check out",
			"[[shifts]]\nname = \"night\"\n[[shifts.hours]]\ndays = [\"mon\"]\nstart = \"21:00\"\nend = \"07:00\"\n",
			[]string{"shifts[0].hours[0].end", `"07:00"`}},
		{"shift without hours", "[[shifts]]\nname = \"night\"\n", []string{"shifts[0].hours", "[]"}},
		{"unnamed shift",
			"[[shifts]]\n[[shifts.hours]]\ndays = [\"mon\"]\nstart = \"07:00\"\nend = \"14:00\"\n",
			[]string{"shifts[0].name", `""`}},
		{"day twice in a shift",
			"[[shifts]]\nname = \"pagi\"\n[[shifts.hours]]\ndays = [\"sat\", \"sat\"]\nstart = \"07:00\"\nend = \"14:00\"\n",
			[]string{"shifts[0].hours[0].days", `"sat"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(base + "\n" + tt.shift))
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error = %v, want ErrInvalidConfig", err)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "unit.toml")
	src := strings.Replace(string(exampleTOML), `time_zone = "Asia/Jakarta"`, `time_zone = "Asia/Jayapura"`, 1)
	if err := os.WriteFile(good, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.Location().String() != "Asia/Jayapura" {
		t.Fatalf("zone = %v", c.Location())
	}
	missing := filepath.Join(dir, "missing.toml")
	if _, err := Load(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Load(missing) = %v", err)
	}
}

func TestUnvalidatedConfigIsRefused(t *testing.T) {
	var c Config
	if _, err := c.Derive(Date{2026, 1, 5}, "", nil, time.Time{}); !errors.Is(err, ErrNotValidated) {
		t.Fatalf("Derive on zero Config: %v", err)
	}
	if _, _, err := c.Classify(time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC), ""); !errors.Is(err, ErrNotValidated) {
		t.Fatalf("Classify on zero Config: %v", err)
	}
}

func TestUnknownKeysListedOncePerTable(t *testing.T) {
	src := string(exampleTOML) + "\n[paryoll]\ncut = 1\nround = true\n"
	src = strings.Replace(src, `check_in = {`, `chek_in = {`, 1)
	_, err := Parse([]byte(src))
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("error = %v, want ErrUnknownKey", err)
	}
	const want = "unknown key: paryoll, regular.chek_in"
	if !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("error = %q, want it to end with %q", err, want)
	}
}
