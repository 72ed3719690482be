package app

import (
	"time"

	"github.com/hadir-id/hadir/storage"
)

// Operator-mode protection: a kiosk stands in a public lobby, so the
// operator screens lock themselves when left alone and a PIN cannot be
// guessed by trying.
const (
	operatorIdle      = 2 * time.Minute // no touch for this long locks operator mode
	operatorMaxFails  = 5               // wrong PINs in a row before the lockout
	operatorLockout   = 5 * time.Minute // how long the lockout lasts
	actionLockout     = storage.AuditAction("lockout")
	actionLogout      = storage.AuditAction("logout")
	logoutIdle        = "idle"
	logoutByOperator  = "operator"
	lockoutAuditShape = "%d wrong PINs: operator login locked until %s"
)

// session is a logged-in operator.
type session struct {
	Name     string
	Role     storage.OperatorRole
	lastSeen time.Time
}

// pinGuard counts wrong PINs and tracks the operator session's idle time.
// It has no clock of its own: every method takes now, so tests drive time
// without sleeping. Used on the UI thread only.
type pinGuard struct {
	fails       int
	lockedUntil time.Time
	sess        *session
}

// Locked reports whether logins are refused at now, and until when.
func (g *pinGuard) Locked(now time.Time) (bool, time.Time) {
	return now.Before(g.lockedUntil), g.lockedUntil
}

// Failed records a wrong PIN; it reports true when this one started the
// lockout.
func (g *pinGuard) Failed(now time.Time) bool {
	g.fails++
	if g.fails >= operatorMaxFails {
		g.fails = 0
		g.lockedUntil = now.Add(operatorLockout)
		return true
	}
	return false
}

// Succeeded opens a session and forgets earlier failures.
func (g *pinGuard) Succeeded(now time.Time, op storage.Operator) *session {
	g.fails = 0
	g.sess = &session{Name: op.Name, Role: op.Role, lastSeen: now}
	return g.sess
}

// Touch marks operator activity (any tap or typing).
func (g *pinGuard) Touch(now time.Time) {
	if g.sess != nil {
		g.sess.lastSeen = now
	}
}

// Idle reports whether the session has been left alone too long.
func (g *pinGuard) Idle(now time.Time) bool {
	return g.sess != nil && now.Sub(g.sess.lastSeen) >= operatorIdle
}

// End closes the session.
func (g *pinGuard) End() { g.sess = nil }

// may reports whether the session's role allows a screen. An auditor only
// reads the audit log; an operator enrolls; an admin does everything.
func (s *session) may(screen string) bool {
	if s == nil {
		return false
	}
	switch s.Role {
	case storage.RoleAdmin:
		return true
	case storage.RoleOperator:
		return screen == tabEnroll || screen == tabEmployees || screen == tabBulk
	case storage.RoleAuditor:
		return screen == tabAudit
	}
	return false
}
