package storetest

import (
	"testing"
)

// Run runs the whole conformance suite against b.
func Run(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"Time", testTime},
		{"Register", testRegister},
		{"DeviceAuth", testDeviceAuth},
		{"Heartbeat", testHeartbeat},
		{"EventsAccepted", testEventsAccepted},
		{"EventsIdempotent", testEventsIdempotent},
		{"EventsPartialReject", testEventsPartialReject},
		{"EventsBadBody", testEventsBadBody},
		{"EventsChain", testEventsChain},
		{"Roster", testRoster},
		{"RosterUnits", testRosterUnits},
		{"Enrollment", testEnrollment},
		{"EnrollmentBad", testEnrollmentBad},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
	runMore(t, b)
}

// extra lists further suite parts (added by other files of the suite).
var extra []struct {
	name string
	fn   func(t *testing.T, b Backend)
}

func runMore(t *testing.T, b Backend) {
	for _, tc := range extra {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

func register(name string, fn func(t *testing.T, b Backend)) bool {
	extra = append(extra, struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{name, fn})
	return true
}
