package attendance

import (
	"errors"
	"testing"
	"time"
)

// recapDay derives 2026-10-05 (a Monday) or the given date with defaults.
func recapDay(t *testing.T, r Rules, c *Config, in DayInput, now time.Time) DayResult {
	t.Helper()
	res, err := r.WithDefaults().DeriveDay(c, in, now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDeriveDayExceptionTypes(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	mon := date(t, "2026-10-05")
	late := []Event{ev(KindIn, local(t, c, "2026-10-05 09:30")), ev(KindOut, local(t, c, "2026-10-05 16:00"))}
	wantPresent := map[string]bool{"DL": true}
	for _, typ := range DefaultTypes().Types {
		if typ.Effect.PartDay() {
			continue
		}
		for _, events := range [][]Event{nil, late} {
			got := recapDay(t, Rules{}, c, DayInput{Date: mon, Events: events,
				Exceptions: []Exception{{Code: typ.Code, Effect: typ.Effect}}}, afterAll)
			if got.Code != typ.Code || got.Exception != typ.Code || got.Present != wantPresent[typ.Code] ||
				got.Absent || got.Cut != 0 || got.Late.Name != "" || got.Early.Name != "" || !got.Working {
				t.Errorf("%s (%d events): %+v", typ.Code, len(events), got)
			}
		}
	}
	// The same late day without an exception is TL4 with its cut.
	got := recapDay(t, Rules{}, c, DayInput{Date: mon, Events: late}, afterAll)
	if got.Code != CodeLate || got.Late.Name != "TL4" || got.Cut != 2 || !got.Present {
		t.Errorf("late without exception: %+v", got)
	}
}

func TestDeriveDayPartDay(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	mon := date(t, "2026-10-05")
	at := func(s string) Clock {
		v, err := ParseClock(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	idt := Exception{Code: "IDT", Effect: EffectExcuseLate, At: at("09:00")}
	ipc := Exception{Code: "IPC", Effect: EffectExcuseEarly, At: at("14:00")}
	tests := []struct {
		name      string
		in, out   string
		exc       []Exception
		code      string
		tl, psw   string
		late, erl int
		cut       float64
	}{
		{"IDT covers arrival before its time", "08:50", "16:00", []Exception{idt}, CodePresent, "", "", 0, 0, 0},
		{"IDT: lateness counts from its time", "09:10", "16:00", []Exception{idt}, CodeLate, "TL1", "", 10, 0, 0.5},
		{"IDT with a time before the start changes nothing", "07:45", "16:00", []Exception{{Code: "IDT", Effect: EffectExcuseLate, At: at("07:00")}}, CodeLate, "TL1", "", 15, 0, 0.5},
		{"IDT does not excuse a missing check-in", "", "16:00", []Exception{idt}, CodeLate, "TL4", "", 0, 0, 2},
		{"IDT does not excuse early leave", "08:00", "15:00", []Exception{idt}, CodeEarly, "", "PSW2", 0, 60, 1},
		{"IPC covers leaving after its time", "07:30", "14:30", []Exception{ipc}, CodePresent, "", "", 0, 0, 0},
		{"IPC: early minutes count up to its time", "07:30", "13:00", []Exception{ipc}, CodeEarly, "", "PSW2", 0, 60, 1},
		{"IPC does not excuse a missing check-out", "07:30", "", []Exception{ipc}, CodeEarly, "", "PSW4", 0, 0, 2},
		{"IDT and IPC on one day", "09:00", "14:00", []Exception{idt, ipc}, CodePresent, "", "", 0, 0, 0},
		{"IDT with no record at all is TK", "", "", []Exception{idt}, CodeAbsent, "", "", 0, 0, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var es []Event
			if tc.in != "" {
				es = append(es, ev(KindIn, local(t, c, "2026-10-05 "+tc.in)))
			}
			if tc.out != "" {
				es = append(es, ev(KindOut, local(t, c, "2026-10-05 "+tc.out)))
			}
			got := recapDay(t, Rules{}, c, DayInput{Date: mon, Events: es, Exceptions: tc.exc}, afterAll)
			if got.Code != tc.code || got.Late.Name != tc.tl || got.Early.Name != tc.psw || got.LateMinutes != tc.late ||
				got.EarlyMinutes != tc.erl || got.Cut != tc.cut {
				t.Errorf("got code=%s tl=%q psw=%q late=%d early=%d cut=%v", got.Code, got.Late.Name, got.Early.Name, got.LateMinutes, got.EarlyMinutes, got.Cut)
			}
		})
	}
}

func TestDeriveDayCalendarRosterPending(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	lib := &Holiday{Date: date(t, "2026-10-05"), Name: "Libur daerah", Kind: KindHoliday}
	cb := &Holiday{Date: date(t, "2026-10-05"), Name: "Cuti bersama", Kind: KindCollective}
	full := []Event{ev(KindIn, local(t, c, "2026-10-05 07:00")), ev(KindOut, local(t, c, "2026-10-05 16:30"))}
	night := []Event{ev(KindIn, local(t, c, "2026-10-05 20:55")), ev(KindOut, local(t, c, "2026-10-06 07:05"))}
	during := local(t, c, "2026-10-05 10:00")
	tests := []struct {
		name    string
		in      DayInput
		now     time.Time
		rules   Rules
		code    string
		working bool
		cut     float64
	}{
		{"national holiday", DayInput{Holiday: lib}, afterAll, Rules{}, CodeHoliday, false, 0},
		{"cuti bersama", DayInput{Holiday: cb}, afterAll, Rules{}, CodeCollective, false, 0},
		{"holiday wins over leave", DayInput{Holiday: lib, Exceptions: []Exception{{Code: "CT", Effect: EffectExcused}}}, afterAll, Rules{}, CodeHoliday, false, 0},
		{"holiday from the schedule file", DayInput{Date: date(t, "2026-08-17")}, afterAll, Rules{}, CodeHoliday, false, 0},
		{"weekend", DayInput{Date: date(t, "2026-10-04")}, afterAll, Rules{}, CodeOff, false, 0},
		{"out of service", DayInput{OutOfService: true, Events: full}, afterAll, Rules{}, CodeOff, false, 0},
		{"rostered night shift", DayInput{Shift: "night", Events: night}, afterAll, Rules{}, CodePresent, true, 0},
		{"night shift works on a holiday", DayInput{Shift: "night", Holiday: lib, Events: night}, afterAll, Rules{}, CodePresent, true, 0},
		{"night shift missed", DayInput{Shift: "night", Events: full}, afterAll, Rules{}, CodeAbsent, true, 4},
		{"rostered day off", DayInput{Shift: "night", Off: true}, afterAll, Rules{}, CodeOff, false, 0},
		{"TK default cut", DayInput{}, afterAll, Rules{}, CodeAbsent, true, 4},
		{"TK configured cut", DayInput{}, afterAll, Rules{TKCutPercent: 3}, CodeAbsent, true, 3},
		{"pending sync is never TK", DayInput{PendingSync: true}, afterAll, Rules{}, CodePending, true, 0},
		{"pending sync with a check-in only", DayInput{PendingSync: true, Events: full[:1]}, afterAll, Rules{}, CodePending, true, 0},
		{"pending sync after a full day", DayInput{PendingSync: true, Events: full}, afterAll, Rules{}, CodePresent, true, 0},
		{"unsynced event of the day", DayInput{Events: []Event{{Kind: KindIn, Time: local(t, c, "2026-10-05 07:00")}}}, afterAll, Rules{}, CodePending, true, 0},
		{"open day without a record", DayInput{}, during, Rules{}, CodeNotYet, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.Date.IsZero() {
				in.Date = date(t, "2026-10-05")
			}
			got := recapDay(t, tc.rules, c, in, tc.now)
			if got.Code != tc.code || got.Working != tc.working || got.Cut != tc.cut {
				t.Errorf("got code=%s working=%v cut=%v (%+v)", got.Code, got.Working, got.Cut, got)
			}
		})
	}
}

func TestMonthCap(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	tests := []struct {
		name   string
		rules  Rules
		raw    float64
		cut    float64
		capped bool
	}{
		{"no cap reached", Rules{}, 22 * 4, 88, false},
		{"capped", Rules{MonthlyCapPercent: 25}, 22 * 4, 25, true},
		{"cap with a smaller TK cut", Rules{TKCutPercent: 1, MonthlyCapPercent: 25}, 22, 22, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rules.WithDefaults()
			m := NewMonth()
			for d := date(t, "2026-10-01"); d.Month == time.October; d = d.AddDays(1) {
				res, err := r.DeriveDay(c, DayInput{Date: d}, afterAll)
				if err != nil {
					t.Fatal(err)
				}
				m.Add(r, res)
			}
			if m.WorkDays != 22 || m.Absent != 22 || m.RawCutPercent != tc.raw || m.CutPercent != tc.cut || m.Capped != tc.capped {
				t.Errorf("month %+v", m)
			}
		})
	}
	// Tiers and exceptions are counted per name and code.
	r := Rules{}.WithDefaults()
	m := NewMonth()
	for _, in := range []DayInput{
		{Date: date(t, "2026-10-05"), Events: []Event{ev(KindIn, local(t, c, "2026-10-05 08:45")), ev(KindOut, local(t, c, "2026-10-05 15:00"))}},
		{Date: date(t, "2026-10-06"), Exceptions: []Exception{{Code: "DL", Effect: EffectPresent}}},
		{Date: date(t, "2026-10-07"), Exceptions: []Exception{{Code: "S", Effect: EffectExcused}}},
		{Date: date(t, "2026-10-08")},
	} {
		res, err := r.DeriveDay(c, in, afterAll)
		if err != nil {
			t.Fatal(err)
		}
		m.Add(r, res)
	}
	if m.WorkDays != 4 || m.Present != 2 || m.Absent != 1 || m.Tiers["TL3"] != 1 || m.Tiers["PSW2"] != 1 ||
		m.Exceptions["DL"] != 1 || m.Exceptions["S"] != 1 || m.CutPercent != 1.5+1+4 {
		t.Errorf("month %+v", m)
	}
}

func TestSpan(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	from, to, err := c.Span(date(t, "2026-10-05"), "night")
	if err != nil {
		t.Fatal(err)
	}
	if !from.Equal(local(t, c, "2026-10-05 18:00")) || !to.Equal(local(t, c, "2026-10-06 12:00")) {
		t.Errorf("night span %v - %v", from, to)
	}
	if _, _, err := c.Span(date(t, "2026-10-05"), "nope"); !errors.Is(err, ErrUnknownShift) {
		t.Errorf("unknown shift: %v", err)
	}
}

func TestTypeSet(t *testing.T) {
	def := DefaultTypes()
	if len(def.Types) != 11 || def.Version != 1 {
		t.Fatalf("defaults %+v", def)
	}
	if _, err := def.Lookup("XX"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("lookup XX: %v", err)
	}
	if ty, err := def.Lookup("DL"); err != nil || ty.Effect != EffectPresent {
		t.Errorf("DL: %+v %v", ty, err)
	}
	bad := []ExceptionType{
		{Code: "ct", Name: "x", Effect: EffectExcused},
		{Code: "TK", Name: "x", Effect: EffectExcused},
		{Code: "X", Name: "", Effect: EffectExcused},
		{Code: "X", Name: "x", Effect: "holiday"},
		{Code: "TOOLONG", Name: "x", Effect: EffectExcused},
	}
	for _, b := range bad {
		if err := (TypeSet{Types: []ExceptionType{b}}).Validate(); !errors.Is(err, ErrInvalidTypes) {
			t.Errorf("%+v accepted: %v", b, err)
		}
	}
	dup := TypeSet{Types: []ExceptionType{{Code: "X", Name: "a", Effect: EffectExcused}, {Code: "X", Name: "b", Effect: EffectExcused}}}
	if err := dup.Validate(); !errors.Is(err, ErrInvalidTypes) {
		t.Errorf("duplicate accepted: %v", err)
	}
	if err := (TypeSet{}).Validate(); !errors.Is(err, ErrInvalidTypes) {
		t.Errorf("empty accepted: %v", err)
	}
}

func TestDefaultHolidays(t *testing.T) {
	for _, y := range DefaultHolidayYears() {
		hs := DefaultHolidays(y)
		if len(hs) < 15 {
			t.Errorf("%d: only %d holidays", y, len(hs))
		}
		collective := 0
		for _, h := range hs {
			if err := h.Validate(); err != nil || h.Date.Year != y {
				t.Errorf("%d: %+v: %v", y, h, err)
			}
			if h.Kind == KindCollective {
				collective++
			}
		}
		if collective == 0 {
			t.Errorf("%d: no cuti bersama", y)
		}
		if cal := NewCalendar(hs); len(cal.Dates()) != len(hs) {
			t.Errorf("%d: duplicate dates", y)
		}
	}
	if DefaultHolidays(2025) != nil {
		t.Error("2025 has defaults")
	}
}
