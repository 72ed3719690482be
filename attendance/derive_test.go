package attendance

import (
	"errors"
	"testing"
	"time"
)

// want is the part of a Day most cases check.
type want struct {
	status      Status
	late, early int    // minutes
	tl, psw     string // tier names, "" = none
	cut         float64
}

func checkDay(t *testing.T, got Day, w want) {
	t.Helper()
	if got.Status != w.status || got.LateMinutes != w.late || got.EarlyMinutes != w.early ||
		got.Late.Name != w.tl || got.Early.Name != w.psw || got.CutPercent() != w.cut {
		t.Errorf("got status=%s late=%d early=%d tl=%q psw=%q cut=%v\nwant status=%s late=%d early=%d tl=%q psw=%q cut=%v",
			got.Status, got.LateMinutes, got.EarlyMinutes, got.Late.Name, got.Early.Name, got.CutPercent(),
			w.status, w.late, w.early, w.tl, w.psw, w.cut)
	}
}

func TestDeriveRegularDay(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	mon := date(t, "2026-01-05")
	day := func(in, out string) []Event {
		var es []Event
		if in != "" {
			es = append(es, ev(KindIn, local(t, c, "2026-01-05 "+in)))
		}
		if out != "" {
			es = append(es, ev(KindOut, local(t, c, "2026-01-05 "+out)))
		}
		return es
	}
	tests := []struct {
		name    string
		in, out string
		want    want
	}{
		{"on time exactly 07:30", "07:30:00", "16:00", want{status: StatusPresent}},
		{"seconds ignored 07:30:59", "07:30:59", "16:00", want{status: StatusPresent}},
		{"early bird", "06:02", "16:45", want{status: StatusPresent}},
		{"07:31 is 1 minute late", "07:31", "16:00", want{StatusLate, 1, 0, "TL1", "", 0.5}},
		{"30 minutes is TL1", "08:00", "16:00", want{StatusLate, 30, 0, "TL1", "", 0.5}},
		{"31 minutes is TL2", "08:01", "16:00", want{StatusLate, 31, 0, "TL2", "", 1}},
		{"60 minutes is TL2", "08:30:45", "16:00", want{StatusLate, 60, 0, "TL2", "", 1}},
		{"61 minutes is TL3", "08:31", "16:00", want{StatusLate, 61, 0, "TL3", "", 1.5}},
		{"90 minutes is TL3", "09:00", "16:00", want{StatusLate, 90, 0, "TL3", "", 1.5}},
		{"91 minutes is TL4", "09:01", "16:00", want{StatusLate, 91, 0, "TL4", "", 2}},
		{"very late is TL4", "11:59", "16:00", want{StatusLate, 269, 0, "TL4", "", 2}},
		{"15:59:59 leaves 1 minute early", "07:00", "15:59:59", want{StatusEarlyLeave, 0, 1, "", "PSW1", 0.5}},
		{"30 minutes early is PSW1", "07:00", "15:30", want{StatusEarlyLeave, 0, 30, "", "PSW1", 0.5}},
		{"31 minutes early is PSW2", "07:00", "15:29", want{StatusEarlyLeave, 0, 31, "", "PSW2", 1}},
		{"60 minutes early is PSW2", "07:00", "15:00", want{StatusEarlyLeave, 0, 60, "", "PSW2", 1}},
		{"61 minutes early is PSW3", "07:00", "14:59", want{StatusEarlyLeave, 0, 61, "", "PSW3", 1.5}},
		{"90 minutes early is PSW3", "07:00", "14:30", want{StatusEarlyLeave, 0, 90, "", "PSW3", 1.5}},
		{"91 minutes early is PSW4", "07:00", "14:29", want{StatusEarlyLeave, 0, 91, "", "PSW4", 2}},
		{"late and early: status late, both cuts", "07:45", "15:15",
			want{StatusLate, 15, 45, "TL1", "PSW2", 1.5}},
		{"no record at all costs TL4 + PSW4", "", "", want{StatusNoRecord, 0, 0, "TL4", "PSW4", 4}},
		{"check-out without check-in is TL4", "", "16:05", want{StatusLate, 0, 0, "TL4", "", 2}},
		{"check-in without check-out is PSW4", "07:10", "", want{StatusEarlyLeave, 0, 0, "", "PSW4", 2}},
		{"last minute before midnight still checks out", "07:10", "23:59:59", want{status: StatusPresent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Derive(mon, "", day(tt.in, tt.out), afterAll)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.NoCheckIn != (tt.in == "") || got.NoCheckOut != (tt.out == "") {
				t.Errorf("NoCheckIn=%v NoCheckOut=%v", got.NoCheckIn, got.NoCheckOut)
			}
			if got.Open || got.Schedule != RegularSchedule {
				t.Errorf("Open=%v Schedule=%q", got.Open, got.Schedule)
			}
			if !got.Start.Equal(local(t, c, "2026-01-05 07:30")) || !got.End.Equal(local(t, c, "2026-01-05 16:00")) {
				t.Errorf("Start=%v End=%v", got.Start, got.End)
			}
		})
	}
}

func TestDeriveCalendar(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	tests := []struct {
		name, date, in, out string
		schedule            string
		want                want
	}{
		{"friday ends 16:30: 16:00 is early", "2026-01-09", "07:30", "16:00", RegularSchedule,
			want{StatusEarlyLeave, 0, 30, "", "PSW1", 0.5}},
		{"friday 16:30 is on time", "2026-01-09", "07:30", "16:30", RegularSchedule, want{status: StatusPresent}},
		{"day before ramadan: 08:00 is late", "2026-02-18", "08:00", "16:00", RegularSchedule,
			want{StatusLate, 30, 0, "TL1", "", 0.5}},
		{"first day of ramadan: 08:00 on time, 15:00 end", "2026-02-19", "08:00", "15:00", "Ramadan 1447 H",
			want{status: StatusPresent}},
		{"ramadan 08:01 is late", "2026-03-02", "08:01", "15:00", "Ramadan 1447 H",
			want{StatusLate, 1, 0, "TL1", "", 0.5}},
		{"ramadan friday ends 15:30", "2026-02-20", "08:00", "15:00", "Ramadan 1447 H",
			want{StatusEarlyLeave, 0, 30, "", "PSW1", 0.5}},
		{"last day of ramadan is inclusive", "2026-03-19", "08:00", "15:00", "Ramadan 1447 H",
			want{status: StatusPresent}},
		{"day after ramadan is regular", "2026-03-20", "08:00", "16:30", RegularSchedule,
			want{StatusLate, 30, 0, "TL1", "", 0.5}},
		{"holiday without events", "2026-01-01", "", "", RegularSchedule, want{status: StatusHoliday}},
		{"holiday worked: no cut", "2026-01-01", "09:00", "12:30", RegularSchedule, want{status: StatusHoliday}},
		{"saturday", "2026-01-10", "", "", RegularSchedule, want{status: StatusDayOff}},
		{"sunday worked: no cut", "2026-01-11", "10:00", "13:00", RegularSchedule, want{status: StatusDayOff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var es []Event
			if tt.in != "" {
				es = append(es, ev(KindIn, local(t, c, tt.date+" "+tt.in)))
			}
			if tt.out != "" {
				es = append(es, ev(KindOut, local(t, c, tt.date+" "+tt.out)))
			}
			got, err := c.Derive(date(t, tt.date), "", es, afterAll)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.Schedule != tt.schedule {
				t.Errorf("Schedule = %q, want %q", got.Schedule, tt.schedule)
			}
			off := tt.want.status == StatusHoliday || tt.want.status == StatusDayOff
			if off && (!got.Start.IsZero() || got.CheckIn == nil != (tt.in == "")) {
				t.Errorf("day off: Start=%v CheckIn=%v", got.Start, got.CheckIn)
			}
		})
	}
}

func TestDeriveMergesDevices(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	at := func(s string) time.Time { return local(t, c, "2026-01-05 "+s) }
	events := []Event{ // deliberately out of order, mixed zones
		{Kind: KindOut, Time: at("15:50"), DeviceID: "lobby", Synced: true},
		{Kind: KindIn, Time: at("07:40").UTC(), DeviceID: "lobby", Synced: true},
		{Kind: KindOut, Time: at("16:10"), DeviceID: "wing-b", Synced: true},
		{Kind: KindIn, Time: at("07:25"), DeviceID: "wing-b", Synced: true},
		{Kind: KindIn, Time: at("07:25"), DeviceID: "annex", Synced: true}, // same minute, other device
	}
	got, err := c.Derive(date(t, "2026-01-05"), "", events, afterAll)
	if err != nil {
		t.Fatal(err)
	}
	checkDay(t, got, want{status: StatusPresent})
	if got.CheckIn.DeviceID != "annex" || !got.CheckIn.Time.Equal(at("07:25")) {
		t.Errorf("CheckIn = %+v, want annex 07:25 (earliest; ties by device ID)", got.CheckIn)
	}
	if got.CheckOut.DeviceID != "wing-b" || !got.CheckOut.Time.Equal(at("16:10")) {
		t.Errorf("CheckOut = %+v, want wing-b 16:10 (latest)", got.CheckOut)
	}
	if events[0].DeviceID != "lobby" {
		t.Error("Derive reordered the caller's slice")
	}
}

func TestDerivePendingAndManual(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	at := func(s string) time.Time { return local(t, c, "2026-01-05 "+s) }
	pending := func(k Kind, s string) Event { e := ev(k, at(s)); e.Synced = false; return e }
	manual := func(s string, ok bool) Event { e := ev(KindManual, at(s)); e.Approved = ok; return e }
	tests := []struct {
		name       string
		events     []Event
		want       want
		pending    int
		unapproved int
	}{
		{"only unsynced events: pending, never no_record", []Event{pending(KindIn, "07:20"), pending(KindOut, "16:05")},
			want{status: StatusPendingSync}, 2, 0},
		{"synced in, unsynced out: still pending", []Event{ev(KindIn, at("07:50")), pending(KindOut, "16:05")},
			want{StatusPendingSync, 20, 0, "TL1", "", 0.5}, 1, 0},
		{"approved manual counts by window", []Event{manual("07:20", true), manual("16:01", true)},
			want{status: StatusPresent}, 0, 0},
		{"unapproved manual does not count", []Event{manual("07:20", false)},
			want{StatusNoRecord, 0, 0, "TL4", "PSW4", 4}, 0, 1},
		{"unsynced unapproved manual is pending", []Event{func() Event { e := manual("07:20", false); e.Synced = false; return e }()},
			want{StatusPendingSync, 0, 0, "TL4", "PSW4", 4}, 1, 1},
		{"events of other days are ignored", []Event{ev(KindIn, at("04:59")), ev(KindOut, local(t, c, "2026-01-06 00:00"))},
			want{StatusNoRecord, 0, 0, "TL4", "PSW4", 4}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Derive(date(t, "2026-01-05"), "", tt.events, afterAll)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.Pending != tt.pending || got.Unapproved != tt.unapproved {
				t.Errorf("Pending=%d Unapproved=%d, want %d %d", got.Pending, got.Unapproved, tt.pending, tt.unapproved)
			}
		})
	}
}

// A day still in progress must not be penalised for what may yet happen.
func TestDeriveOpenDay(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	at := func(s string) time.Time { return local(t, c, "2026-01-05 "+s) }
	tests := []struct {
		name   string
		events []Event
		now    string
		want   want
		open   bool
	}{
		{"morning, nothing yet", nil, "07:00", want{status: StatusNoRecord}, true},
		{"kiosk right after a late check-in", []Event{ev(KindIn, at("07:42"))}, "07:42",
			want{StatusLate, 12, 0, "TL1", "", 0.5}, true},
		{"check-in window closed without check-in", nil, "12:00", want{StatusNoRecord, 0, 0, "TL4", "", 2}, true},
		{"checked in, day not over: no PSW yet", []Event{ev(KindIn, at("07:20"))}, "17:00",
			want{status: StatusPresent}, true},
		{"checked in, day over: PSW4", []Event{ev(KindIn, at("07:20"))}, "2026-01-06 00:00",
			want{StatusEarlyLeave, 0, 0, "", "PSW4", 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nowText := tt.now
			if len(nowText) == len("15:04") {
				nowText = "2026-01-05 " + nowText
			}
			now := local(t, c, nowText)
			got, err := c.Derive(date(t, "2026-01-05"), "", tt.events, now)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.Open != tt.open {
				t.Errorf("Open = %v, want %v", got.Open, tt.open)
			}
		})
	}
}

func TestDeriveNightShift(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	at := func(s string) time.Time { return local(t, c, s) }
	tests := []struct {
		name, date string
		events     []Event
		want       want
	}{
		{"21:00 to 07:00 next day", "2026-01-05",
			[]Event{ev(KindIn, at("2026-01-05 20:55")), ev(KindOut, at("2026-01-06 07:05"))}, want{status: StatusPresent}},
		{"late in, early out across midnight", "2026-01-05",
			[]Event{ev(KindIn, at("2026-01-05 21:15")), ev(KindOut, at("2026-01-06 06:00"))},
			want{StatusLate, 15, 60, "TL1", "PSW2", 1.5}},
		{"check-in at 23:59 is 179 minutes late", "2026-01-05",
			[]Event{ev(KindIn, at("2026-01-05 23:59")), ev(KindOut, at("2026-01-06 07:00"))},
			want{StatusLate, 179, 0, "TL4", "", 2}},
		{"check-out at 00:30 belongs to the start day", "2026-01-05",
			[]Event{ev(KindIn, at("2026-01-05 21:00")), ev(KindOut, at("2026-01-06 00:30"))},
			want{StatusEarlyLeave, 0, 390, "", "PSW4", 2}},
		{"next day's shift does not see the previous night's check-out", "2026-01-06",
			[]Event{ev(KindIn, at("2026-01-05 20:55")), ev(KindOut, at("2026-01-06 07:05"))},
			want{StatusNoRecord, 0, 0, "TL4", "PSW4", 4}},
		{"shifts run on holidays", "2026-01-01",
			[]Event{ev(KindIn, at("2026-01-01 21:00")), ev(KindOut, at("2026-01-02 07:00"))}, want{status: StatusPresent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Derive(date(t, tt.date), "night", tt.events, afterAll)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.Schedule != "night" || got.End.Sub(got.Start) != 10*time.Hour {
				t.Errorf("Schedule=%q Start=%v End=%v", got.Schedule, got.Start, got.End)
			}
		})
	}
}

// The same UTC instants are different local times, even different local
// days, in WIB (UTC+7), WITA (UTC+8) and WIT (UTC+9).
func TestDeriveTimeZones(t *testing.T) {
	arrive := time.Date(2026, 1, 5, 0, 45, 0, 0, time.UTC) // 07:45 WIB, 08:45 WITA, 09:45 WIT
	leave := time.Date(2026, 1, 5, 16, 30, 0, 0, time.UTC) // 23:30 WIB Mon, 00:30 Tue WITA/WIT
	tests := []struct {
		zone string
		want want
	}{
		{"Asia/Jakarta", want{StatusLate, 15, 0, "TL1", "", 0.5}},
		{"Asia/Makassar", want{StatusLate, 75, 0, "TL3", "PSW4", 3.5}},
		{"Asia/Jayapura", want{StatusLate, 135, 0, "TL4", "PSW4", 4}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			c := testConfig(t, tt.zone)
			got, err := c.Derive(date(t, "2026-01-05"), "", []Event{ev(KindIn, arrive), ev(KindOut, leave)}, afterAll)
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, got, tt.want)
			if got.Start.Location().String() != tt.zone {
				t.Errorf("Start in %v, want %s", got.Start.Location(), tt.zone)
			}
		})
	}
}

func TestDeriveErrors(t *testing.T) {
	c := testConfig(t, "Asia/Jakarta")
	mon := date(t, "2026-01-05")
	at := local(t, c, "2026-01-05 07:30")
	tests := []struct {
		name   string
		shift  string
		events []Event
		target error
	}{
		{"unknown shift", "siang", nil, ErrUnknownShift},
		{"unknown kind", "", []Event{{Kind: "lunch", Time: at}}, ErrInvalidEvent},
		{"event without time", "", []Event{{Kind: KindIn}}, ErrInvalidEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Derive(mon, tt.shift, tt.events, afterAll); !errors.Is(err, tt.target) {
				t.Fatalf("error = %v, want %v", err, tt.target)
			}
		})
	}
}
