package server

import (
	"context"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// DayRow is one person's derived attendance on one day, as reports show
// it. The rules are attendance.Config.Derive's; the server adds only what
// it alone knows (kiosks with unsynced events).
type DayRow struct {
	NIP          string  `json:"nip"`
	Name         string  `json:"name"`
	Unit         string  `json:"unit"`
	Date         string  `json:"date"`
	Schedule     string  `json:"schedule"`
	Status       string  `json:"status"`
	CheckIn      string  `json:"check_in,omitempty"`  // local HH:MM:SS
	CheckOut     string  `json:"check_out,omitempty"` // local HH:MM:SS
	LateMinutes  int     `json:"late_minutes"`
	EarlyMinutes int     `json:"early_minutes"`
	LateTier     string  `json:"late_tier,omitempty"`  // TL1..TL4
	EarlyTier    string  `json:"early_tier,omitempty"` // PSW1..PSW4
	CutPercent   float64 `json:"cut_percent"`
	NoCheckIn    bool    `json:"no_check_in"`
	NoCheckOut   bool    `json:"no_check_out"`
	Unapproved   int     `json:"unapproved_manual"`
	Open         bool    `json:"open"`
	// PendingSync: a kiosk of the unit reported unsynced events from
	// this day or earlier, so the record may be incomplete.
	PendingSync bool `json:"pending_sync"`
}

// MonthRow sums one person's month.
type MonthRow struct {
	NIP          string         `json:"nip"`
	Name         string         `json:"name"`
	Unit         string         `json:"unit"`
	Month        string         `json:"month"`
	WorkDays     int            `json:"work_days"`
	Present      int            `json:"present"` // present, late or early_leave
	Late         int            `json:"late_days"`
	EarlyLeave   int            `json:"early_leave_days"`
	Absent       int            `json:"absent"` // no_record
	PendingSync  int            `json:"pending_sync_days"`
	Open         int            `json:"open_days"`
	LateMinutes  int            `json:"late_minutes"`
	EarlyMinutes int            `json:"early_minutes"`
	Unapproved   int            `json:"unapproved_manual"`
	CutPercent   float64        `json:"cut_percent"`
	Tiers        map[string]int `json:"tiers"` // TL1..TL4, PSW1..PSW4 counts
}

// pendingSince returns the earliest oldest_pending of the unit's active
// kiosks that report a backlog (zero time: none), so days from then on
// are marked pending rather than absent.
func (s *Server) pendingSince(ctx context.Context, unit string) (time.Time, error) {
	devs, err := s.store.Devices(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return pendingOf(devs, unit), nil
}

// dayRows derives every active employee of unit (or the one nip) for each
// date in [from, to].
func (s *Server) dayRows(ctx context.Context, unit, nip string, from, to attendance.Date) ([]DayRow, error) {
	cfg := s.cfg.Schedule(unit)
	loc := cfg.Location()
	var emps []Employee
	if nip != "" {
		e, _, err := s.store.Employee(ctx, nip)
		if err != nil {
			return nil, err
		}
		emps = []Employee{e}
	} else {
		all, err := s.store.Employees(ctx, unit)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if e.Status != StatusInactive {
				emps = append(emps, e)
			}
		}
	}
	start := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc).Add(-24 * time.Hour)
	end := time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, loc).Add(48 * time.Hour)
	evs, err := s.store.Events(ctx, EventFilter{Unit: unit, NIP: nip, From: start, To: end, Kinds: []string{KindIn, KindOut, KindManual}})
	if err != nil {
		return nil, err
	}
	byNIP := map[string][]attendance.Event{}
	for _, e := range evs {
		byNIP[e.NIP] = append(byNIP[e.NIP], attendance.Event{Kind: attendance.Kind(e.Kind), Approved: e.Approval == ApprovalApproved,
			Time: e.Time, DeviceID: e.Device, Synced: true})
	}
	pending, err := s.pendingSince(ctx, unit)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var rows []DayRow
	for _, emp := range emps {
		for d := from; !to.Before(d); d = d.AddDays(1) {
			day, err := cfg.Derive(d, "", byNIP[emp.NIP], now)
			if err != nil {
				return nil, fmt.Errorf("report for %s on %s: %w", emp.NIP, d, err)
			}
			row := DayRow{NIP: emp.NIP, Name: emp.Name, Unit: emp.Unit, Date: d.String(), Schedule: day.Schedule,
				Status: string(day.Status), LateMinutes: day.LateMinutes, EarlyMinutes: day.EarlyMinutes,
				LateTier: day.Late.Name, EarlyTier: day.Early.Name, CutPercent: day.CutPercent(),
				NoCheckIn: day.NoCheckIn, NoCheckOut: day.NoCheckOut, Unapproved: day.Unapproved, Open: day.Open}
			if day.CheckIn != nil {
				row.CheckIn = day.CheckIn.Time.In(loc).Format(time.TimeOnly)
			}
			if day.CheckOut != nil {
				row.CheckOut = day.CheckOut.Time.In(loc).Format(time.TimeOnly)
			}
			dayEnd := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).Add(24 * time.Hour)
			if !pending.IsZero() && pending.Before(dayEnd) && day.Status != attendance.StatusHoliday && day.Status != attendance.StatusDayOff {
				// Unsynced events may belong to this day: never call it
				// no_record (the payroll rule in package attendance).
				row.PendingSync = true
				if day.Status == attendance.StatusNoRecord || day.NoCheckIn || day.NoCheckOut {
					row.Status = string(attendance.StatusPendingSync)
				}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// monthRows sums dayRows per person.
func monthRows(days []DayRow, month string) []MonthRow {
	var out []MonthRow
	idx := map[string]int{}
	for _, d := range days {
		i, ok := idx[d.NIP]
		if !ok {
			i = len(out)
			idx[d.NIP] = i
			out = append(out, MonthRow{NIP: d.NIP, Name: d.Name, Unit: d.Unit, Month: month, Tiers: map[string]int{}})
		}
		m := &out[i]
		switch attendance.Status(d.Status) {
		case attendance.StatusHoliday, attendance.StatusDayOff:
			continue
		case attendance.StatusPresent:
			m.Present++
		case attendance.StatusLate:
			m.Present++
			m.Late++
		case attendance.StatusEarlyLeave:
			m.Present++
			m.EarlyLeave++
		case attendance.StatusNoRecord:
			m.Absent++
		case attendance.StatusPendingSync:
			m.PendingSync++
		}
		m.WorkDays++
		if d.Open {
			m.Open++
		}
		m.LateMinutes += d.LateMinutes
		m.EarlyMinutes += d.EarlyMinutes
		m.Unapproved += d.Unapproved
		m.CutPercent += d.CutPercent
		if d.LateTier != "" {
			m.Tiers[d.LateTier]++
		}
		if d.EarlyTier != "" {
			m.Tiers[d.EarlyTier]++
		}
	}
	return out
}
