package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hadir-id/hadir/api"
)

// newDeviceSecret returns a fresh random device secret.
func newDeviceSecret() []byte {
	b := make([]byte, api.SecretBytes)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return b
}

// handleRekey issues a secret, once, to a kiosk registered before device
// secrets existed; its token authenticates the request. A device that
// already holds one is told to register again (409 already_keyed): a
// second secret would let whoever asked first forge its events.
func (s *Server) handleRekey(w http.ResponseWriter, r *http.Request, p *principal) error {
	if p.device.Keyed {
		return fail(http.StatusConflict, api.CodeAlreadyKeyed, "device %s already holds a secret; register it again with a new code", p.device.ID)
	}
	secret := newDeviceSecret()
	err := s.store.RekeyDevice(r.Context(), p.device.ID, secret)
	if errors.Is(err, ErrConflict) {
		return fail(http.StatusConflict, api.CodeAlreadyKeyed, "device %s already holds a secret; register it again with a new code", p.device.ID)
	}
	if err != nil {
		return err
	}
	s.audit(r, p, "device.rekey", p.device.ID, "secret issued to a kiosk registered before device secrets")
	s.writeJSON(w, http.StatusOK, api.RekeyResponse{ServerTime: s.stamp(), Secret: api.EncodeSecret(secret)})
	return nil
}

// trustBacklog is how much of a heartbeat's backlog claim the server
// believes: the claimed oldest pending event cannot predate the device's
// registration nor its newest event already received (anything older was
// sent), and a claim reaching further back than maxAge excuses nothing:
// it returns the receipt time and an alert for the fleet view instead.
func trustBacklog(d *Device, hb Heartbeat, maxAge time.Duration) (time.Time, string) {
	if hb.Backlog <= 0 || hb.ClaimedOldest.IsZero() {
		return time.Time{}, ""
	}
	t := hb.ClaimedOldest
	for _, floor := range []time.Time{d.CreatedAt, d.NewestEvent} {
		if t.Before(floor) {
			t = floor
		}
	}
	if hb.Received.Sub(t) > maxAge {
		return hb.Received, fmt.Sprintf("backlog of %d events claimed since %s, more than %s ago: absences are not excused; check the kiosk",
			hb.Backlog, t.Format(time.RFC3339), maxAge)
	}
	return t.UTC(), ""
}

// scopeDuplicate hides a duplicate-face conflict with an employee outside
// units (empty: all) behind a bare 409: the caller learns the face is
// taken, not whose it is or how close.
func scopeDuplicate(err error, units []string) error {
	var dup *DuplicateFaceError
	if !errors.As(err, &dup) || unitAllowed(units, dup.Unit) {
		return err
	}
	return fail(http.StatusConflict, api.CodeDuplicateFace, "this face is already enrolled under another NIP outside your units; ask the HR office")
}
