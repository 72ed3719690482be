package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hadir-id/hadir/attendance"
)

// RecapDay is one person's day in the LH and LB.2.
type RecapDay struct {
	NIP          string  `json:"nip"`
	Name         string  `json:"name"`
	Unit         string  `json:"unit"`
	Date         string  `json:"date"`
	Code         string  `json:"code"` // H, TL, PSW, TL/PSW, TK, BS, BH, L, CBR, - or an exception type
	Status       string  `json:"status"`
	Schedule     string  `json:"schedule,omitempty"`
	CheckIn      string  `json:"check_in,omitempty"`  // local HH:MM:SS
	CheckOut     string  `json:"check_out,omitempty"` // local HH:MM:SS
	LateMinutes  int     `json:"late_minutes"`
	EarlyMinutes int     `json:"early_minutes"`
	LateTier     string  `json:"late_tier,omitempty"`
	EarlyTier    string  `json:"early_tier,omitempty"`
	Exception    string  `json:"exception,omitempty"`
	CutPercent   float64 `json:"cut_percent"`
	PendingSync  bool    `json:"pending_sync"`
	Open         bool    `json:"open"`
}

// RecapMonth is one person's line of the LB.1.
type RecapMonth struct {
	NIP           string         `json:"nip"`
	Name          string         `json:"name"`
	Unit          string         `json:"unit"`
	Month         string         `json:"month"`
	WorkDays      int            `json:"work_days"`
	Present       int            `json:"H"`
	Absent        int            `json:"TK"`
	Pending       int            `json:"BS"`
	NotYet        int            `json:"BH"`
	Tiers         map[string]int `json:"tiers"`      // TL1..TL4, PSW1..PSW4
	Exceptions    map[string]int `json:"exceptions"` // per exception type code
	RawCutPercent float64        `json:"raw_cut_percent"`
	CutPercent    float64        `json:"cut_percent"` // after the monthly cap
	Capped        bool           `json:"capped"`
}

// recapResult is one person's derived range.
type recapResult struct {
	Person RecapPerson
	Days   []RecapDay // only when asked for
	Month  RecapMonth
}

// recapRun is one recap computation's fixed inputs.
type recapRun struct {
	s        *Server
	rules    attendance.Rules
	from, to attendance.Date
	month    string
	days     bool
	now      time.Time
	cal      attendance.Calendar
	shifts   map[string]map[attendance.Date]ShiftEntry
	excs     map[string][]ExceptionRecord
	pending  func(unit string) time.Time
	spans    map[spanKey][2]time.Time
}

type spanKey struct {
	unit, shift string
	date        attendance.Date
}

// recap derives every person of people over [from, to] and returns one
// result per person, in the order of people. Events are read once,
// streamed through RecapEvents ordered by person and time; each person's
// events are handed to the day rule one day at a time. A large scope is
// cut into NIP ranges read and derived in parallel (recapParts).
func (s *Server) recap(ctx context.Context, rules attendance.Rules, people []RecapPerson, scope RecapScope, from, to attendance.Date, month string, days bool) ([]recapResult, error) {
	run := &recapRun{s: s, rules: rules, from: from, to: to, month: month, days: days, now: s.now(),
		shifts: map[string]map[attendance.Date]ShiftEntry{}, excs: map[string][]ExceptionRecord{}, spans: map[spanKey][2]time.Time{}}
	if err := run.load(ctx, people, scope); err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(people))
	for i, p := range people {
		idx[p.NIP] = i
	}
	out := make([]recapResult, len(people))
	done := make([]bool, len(people))
	parts := recapParts(people, scope, s.recapPartCount())
	errs := make([]error, len(parts))
	pctx, cancel := context.WithCancel(ctx) // the first failure stops the other parts
	defer cancel()
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each part has its own span cache; the rest of run is
			// read-only once loaded, and parts write disjoint people.
			w := *run
			w.spans = map[spanKey][2]time.Time{}
			if errs[i] = w.stream(pctx, part, people, idx, out, done); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range people {
		if !done[i] {
			var err error
			if out[i], err = run.person(people[i], nil); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Parallel recap: a scope of at least recapSplitMin people is cut into
// NIP ranges of equal head count (Config.RecapParts). The 4,000-person
// unit's LB.1 costs ~0.46 s of CPU and all units' ~1.1 s
// (BenchmarkRecap); on the 2 cores of a regency server two parts bring
// the wall time under the 0.5 s and 2 s targets with room to spare.
const (
	recapSplitMin        = 1000
	DefaultRecapMaxParts = 4
)

func (s *Server) recapPartCount() int {
	if s.cfg.RecapParts > 0 {
		return s.cfg.RecapParts
	}
	return min(runtime.GOMAXPROCS(0), DefaultRecapMaxParts)
}

// recapParts returns the scopes to read in parallel: scope itself, or up
// to maxParts NIP ranges of it, each of at least recapSplitMin/2 people.
func recapParts(people []RecapPerson, scope RecapScope, maxParts int) []RecapScope {
	n := min(maxParts, len(people)/(recapSplitMin/2))
	if len(scope.NIPs) > 0 || len(people) < recapSplitMin || n < 2 {
		return []RecapScope{scope}
	}
	nips := make([]string, len(people))
	for i, p := range people {
		nips[i] = p.NIP
	}
	slices.Sort(nips)
	parts := make([]RecapScope, n)
	for i := range parts {
		parts[i] = scope
		if i > 0 {
			parts[i].NIPFrom = nips[i*len(nips)/n]
		}
		if i < n-1 {
			parts[i].NIPTo = nips[(i+1)*len(nips)/n]
		}
	}
	return parts
}

// stream reads the events of scope and derives each person of it.
func (run *recapRun) stream(ctx context.Context, scope RecapScope, people []RecapPerson, idx map[string]int, out []recapResult, done []bool) error {
	// Read a day either side: a night shift's events run into the next
	// day, and units may be in any of the three zones.
	start := time.Date(run.from.Year, run.from.Month, run.from.Day, 0, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
	end := time.Date(run.to.Year, run.to.Month, run.to.Day, 0, 0, 0, 0, time.UTC).Add(72 * time.Hour)
	var cur string
	var evs []attendance.Event
	flush := func() error {
		if i, ok := idx[cur]; ok && !done[i] {
			r, err := run.person(people[i], evs)
			if err != nil {
				return err
			}
			out[i], done[i] = r, true
		}
		evs = evs[:0]
		return nil
	}
	err := run.s.store.RecapEvents(ctx, scope, start, end, func(e RecapEvent) error {
		if e.NIP != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = e.NIP
		}
		evs = append(evs, attendance.Event{Kind: attendance.Kind(e.Kind), Approved: e.Approved, Time: e.Time, Synced: true})
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// load reads the calendar, rosters, exceptions and kiosk backlogs once.
func (run *recapRun) load(ctx context.Context, people []RecapPerson, scope RecapScope) error {
	s := run.s
	var hs []attendance.Holiday
	for y := run.from.Year; y <= run.to.Year; y++ {
		h, err := s.store.Holidays(ctx, y)
		if err != nil {
			return err
		}
		hs = append(hs, h...)
	}
	run.cal = attendance.NewCalendar(hs)
	units := map[string]bool{}
	for _, p := range people {
		units[p.Unit] = true
	}
	shiftUnits := []string{scope.Unit}
	if len(scope.NIPs) > 0 {
		shiftUnits = shiftUnits[:0]
		for u := range units {
			shiftUnits = append(shiftUnits, u)
		}
	}
	for _, u := range shiftUnits {
		es, err := s.store.Shifts(ctx, u, run.from, run.to)
		if err != nil {
			return err
		}
		for _, e := range es {
			if run.shifts[e.NIP] == nil {
				run.shifts[e.NIP] = map[attendance.Date]ShiftEntry{}
			}
			run.shifts[e.NIP][e.Date] = e
		}
	}
	xs, err := s.store.RecapExceptions(ctx, scope, run.from, run.to)
	if err != nil {
		return err
	}
	for _, x := range xs {
		run.excs[x.NIP] = append(run.excs[x.NIP], x)
	}
	devs, err := s.store.Devices(ctx)
	if err != nil {
		return err
	}
	// Computed up front: parts of a parallel recap read it at once.
	memo := map[string]time.Time{}
	for u := range units {
		memo[u] = pendingOf(devs, u)
	}
	run.pending = func(unit string) time.Time {
		if t, ok := memo[unit]; ok {
			return t
		}
		return pendingOf(devs, unit)
	}
	return nil
}

// span returns (cached) the instants whose events belong to date.
func (run *recapRun) span(cfg *attendance.Config, unit, shift string, d attendance.Date) ([2]time.Time, error) {
	k := spanKey{unit, shift, d}
	if v, ok := run.spans[k]; ok {
		return v, nil
	}
	a, b, err := cfg.Span(d, shift)
	if err != nil {
		return [2]time.Time{}, err
	}
	run.spans[k] = [2]time.Time{a, b}
	return run.spans[k], nil
}

// person derives one person's days from their events (sorted by time).
func (run *recapRun) person(p RecapPerson, evs []attendance.Event) (recapResult, error) {
	cfg := run.s.cfg.Schedule(p.Unit)
	loc := cfg.Location()
	res := recapResult{Person: p}
	m := attendance.NewMonth()
	pending := run.pending(p.Unit)
	for d := run.from; !run.to.Before(d); d = d.AddDays(1) {
		in := attendance.DayInput{Date: d}
		if h, ok := run.cal[d]; ok {
			in.Holiday = &h
		}
		if e, ok := run.shifts[p.NIP][d]; ok {
			in.Shift, in.Off = e.Shift, e.Off
		}
		in.OutOfService = (!p.ServiceFrom.IsZero() && d.Before(p.ServiceFrom)) || (!p.ServiceTo.IsZero() && p.ServiceTo.Before(d))
		for _, x := range run.excs[p.NIP] {
			if d.Before(x.From) || x.To.Before(d) {
				continue
			}
			t, err := run.rules.Types.Lookup(x.Type)
			if err != nil {
				return res, fmt.Errorf("exception %s of %s: %w", x.ID, p.NIP, err)
			}
			e := attendance.Exception{Code: t.Code, Effect: t.Effect}
			if x.At != "" {
				c, err := attendance.ParseClock(x.At)
				if err != nil {
					return res, fmt.Errorf("exception %s of %s: %w", x.ID, p.NIP, err)
				}
				e.At = c
			}
			in.Exceptions = append(in.Exceptions, e)
		}
		if !in.Off && !in.OutOfService {
			sp, err := run.span(cfg, p.Unit, in.Shift, d)
			if err != nil {
				return res, fmt.Errorf("recap of %s on %s: %w", p.NIP, d, err)
			}
			in.Events = evs[firstAt(evs, sp[0]):firstAt(evs, sp[1])]
			dayEnd := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).Add(24 * time.Hour)
			in.PendingSync = !pending.IsZero() && pending.Before(dayEnd)
		}
		day, err := run.rules.DeriveDay(cfg, in, run.now)
		if err != nil {
			return res, fmt.Errorf("recap of %s on %s: %w", p.NIP, d, err)
		}
		m.Add(run.rules, day)
		if run.days {
			res.Days = append(res.Days, recapDay(p, day, in.PendingSync, loc))
		}
	}
	res.Month = RecapMonth{NIP: p.NIP, Name: p.Name, Unit: p.Unit, Month: run.month, WorkDays: m.WorkDays, Present: m.Present,
		Absent: m.Absent, Pending: m.Pending, NotYet: m.NotYet, Tiers: m.Tiers, Exceptions: m.Exceptions,
		RawCutPercent: round2(m.RawCutPercent), CutPercent: round2(m.CutPercent), Capped: m.Capped}
	return res, nil
}

func recapDay(p RecapPerson, d attendance.DayResult, pending bool, loc *time.Location) RecapDay {
	r := RecapDay{NIP: p.NIP, Name: p.Name, Unit: p.Unit, Date: d.Date.String(), Code: d.Code, Status: string(d.Status),
		Schedule: d.Schedule, LateMinutes: d.LateMinutes, EarlyMinutes: d.EarlyMinutes, LateTier: d.Late.Name,
		EarlyTier: d.Early.Name, Exception: d.Exception, CutPercent: round2(d.Cut), PendingSync: pending && d.Working, Open: d.Open}
	if d.CheckIn != nil {
		r.CheckIn = d.CheckIn.Time.In(loc).Format(time.TimeOnly)
	}
	if d.CheckOut != nil {
		r.CheckOut = d.CheckOut.Time.In(loc).Format(time.TimeOnly)
	}
	return r
}

// firstAt is the index of the first event at or after t (evs sorted by
// time); a plain loop, so no closure is allocated per person and day.
func firstAt(evs []attendance.Event, t time.Time) int {
	lo, hi := 0, len(evs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if evs[m].Time.Before(t) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// pendingOf is pendingSince over an already read device list.
func pendingOf(devs []Device, unit string) time.Time {
	var since time.Time
	for _, d := range devs {
		if d.Revoked() || d.Heartbeat.Backlog <= 0 || !unitAllowed(d.Units, unit) {
			continue
		}
		t := d.Heartbeat.OldestPending
		if t.IsZero() {
			t = d.Heartbeat.Received.Add(-24 * time.Hour) // backlog of unknown age
		}
		if since.IsZero() || t.Before(since) {
			since = t
		}
	}
	return since
}
