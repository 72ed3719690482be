// Package checkin turns camera frames into attendance events a payroll
// office can trust: it picks the one person in front of the kiosk, guides
// them into a usable pose, identifies them over several frames, checks
// liveness, applies the unit's attendance rules and cooldown, and writes
// one durable event with its evidence photo. It has no UI: everything it
// does is reported as a stream of typed States that the GUI only draws.
//
// Watch is the headless variant for CCTV: it identifies every face in a
// stream and writes rate-limited "sighting" events.
package checkin
