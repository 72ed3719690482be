// Package attendance holds Hadir's attendance rules: the per-unit schedule
// configuration, the kiosk's cooldown and check-in/check-out decision, and
// the derivation of a person's working day (first check-in, last check-out,
// lateness, TPP tiers, status) from raw events. It is pure Go, has no cgo
// and no clock of its own: every function takes the times it needs, so the
// kiosk and the central server compute exactly the same verdicts.
//
// # Sources
//
//   - Working time: Perpres 21/2023 — five days, 37.5 hours a week, start
//     07:30 local time (Mon–Thu to 16:00, Fri to 16:30 with a 90-minute
//     rest); during Ramadan 32.5 hours, start 08:00. Regions add their own
//     check windows and rules, so everything is configuration.
//   - TPP cuts: late arrival (TL, terlambat) and early leave (PSW, pulang
//     sebelum waktu) are graded per event, typically 1–30 min 0.5 %, 31–60
//     min 1 %, 61–90 min 1.5 %, ≥ 91 min or no record 2 %. The tiers differ by
//     Perbup/Perwali, so they are data in the versioned schedule file.
//   - Payroll: "no record" is a penalty; an event recorded on a kiosk but not
//     yet synced must never be reported as "no record".
//
// # Configuration
//
// One TOML file per unit (see schedule.example.toml, which is also
// DefaultConfig): version, time zone (WIB/WITA/WIT; tzdata is embedded so
// kiosks without zoneinfo work), cooldown, work days, holidays, the regular
// schedule, Ramadan periods, shifts, and the TL/PSW tiers. Unknown keys are
// rejected, and every validation error names the key and its value.
//
// # Rules, and the choices made where the sources are silent
//
//   - Days are local. A working day is a calendar date in the unit's zone;
//     it spans from the start of the check-in window to the end of the
//     check-out window (at most 24 hours). Events outside that span belong
//     to another day. A night shift's span crosses midnight, so its events
//     are attributed to the day the shift started.
//   - Minutes are clock minutes. Seconds are dropped before comparing:
//     07:30:59 is on time for 07:30, 07:31:00 is 1 minute late (TL1);
//     15:59:59 against a 16:00 end is 1 minute early (PSW1). Tier bounds
//     are inclusive: 30 is TL1, 31 TL2, 60 TL2, 61 TL3, 90 TL3, 91 TL4.
//   - Several devices merge: the earliest check-in and the latest check-out
//     over all devices count (ties broken by device ID, for determinism).
//   - A missing check-in — including a check-out without any check-in —
//     is graded as the last late tier (TL4, "≥ 91 minutes or no record")
//     once the check-in window has closed; a missing check-out as the last
//     early tier (PSW4) once the check-out window has closed. A day with no
//     record at all thus costs TL4 + PSW4 = 4 % by default, the same as an
//     unexcused absence. Leave, sick notes and official travel are applied
//     by the server on top of this.
//   - Pending wins over everything but holidays and days off: if any of the
//     day's events is not yet synced the status is pending_sync, never
//     no_record; the other fields are computed from what is known.
//   - Manual (NIP + PIN fallback) events count only once approved, as a
//     check-in or check-out by the window their time falls in.
//   - Holidays and days off are reported as such even if someone worked;
//     no cut applies. Shifts ignore the holiday list (24-hour services stay
//     open) and run on the weekdays listed in their hours.
//   - Ramadan periods are inclusive date ranges and replace the regular
//     hours (and, if given, windows) for those dates.
//   - Cooldown (kiosk only): an attempt exactly Cooldown after the last
//     event is allowed; earlier ones get "already recorded at HH:MM". A last
//     event less than Cooldown in the future (device clock stepped back)
//     also blocks. The server keeps every raw event regardless.
//   - Windows are half-open [from, to): with in 05:00–12:00 and out
//     12:00–24:00, 11:59:59 is a check-in and 12:00:00 a check-out.
//
// # The monthly recap (server)
//
// Rules.DeriveDay is the recap's one day rule on top of Derive: holidays
// and cuti bersama per year (DefaultHolidays ships 2026 and 2027 as
// defaults to edit per SKB), rostered shifts and days off, approved
// exceptions whose effect is data (TypeSet, exception_types.toml: present,
// excused, or part of a day with a time), pending sync (never absent), a
// configurable cut per day tanpa keterangan (TK) and, through Month, a cap
// on the month's total cut. Callers hand it one day's events only, sliced
// from a person's sorted events with Config.Span.
//
// # Use
//
// The kiosk calls Config.Classify to decide in/out/outside for a
// recognition, Config.Allowed for the cooldown, and Config.Derive to tell
// the person "late by N minutes". The server calls Config.Derive per person
// and day over all synced (and known pending) events.
package attendance
