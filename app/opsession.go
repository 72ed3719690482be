package app

import (
	"time"

	"github.com/hadir-id/hadir/storage"
)

// Operator-mode protection: a kiosk stands in a public lobby, so the
// operator screens lock themselves when left alone. That a PIN cannot be
// guessed by trying is the store's job (storage.VerifyOperator keeps the
// count of wrong PINs and the lockout, across restarts).
const (
	operatorIdle     = 2 * time.Minute // no touch for this long locks operator mode
	actionLogout     = storage.AuditAction("logout")
	logoutIdle       = "idle"
	logoutByOperator = "operator"
)

// session is a logged-in operator.
type session struct {
	Name     string
	Role     storage.OperatorRole
	lastSeen time.Time
}

// pinGuard tracks the operator session and its idle time. It has no
// clock of its own: every method takes now, so tests drive time without
// sleeping. Used on the UI thread only.
type pinGuard struct {
	sess *session
}

// Succeeded opens a session.
func (g *pinGuard) Succeeded(now time.Time, op storage.Operator) *session {
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
