package kiosk

import (
	"time"

	"github.com/hadir-id/hadir/storage"
)

// Operator-mode protection: a kiosk stands in a public lobby, so the
// operator screens lock themselves when left alone. That a PIN cannot be
// guessed by trying is the store's job (storage.VerifyOperator keeps the
// count of wrong PINs and the lockout, across restarts).
const (
	OperatorIdle     = 2 * time.Minute // no touch for this long locks operator mode
	ActionLogout     = storage.AuditAction("logout")
	LogoutIdle       = "idle"
	LogoutByOperator = "operator"
)

// The operator screens, by the name roles are checked against.
const (
	ScreenEnroll    = "enroll"
	ScreenEmployees = "employees"
	ScreenBulk      = "bulk"
	ScreenLog       = "log"
	ScreenSync      = "sync"
	ScreenAudit     = "audit"
	ScreenSettings  = "settings"
)

// OperatorSession is a logged-in operator.
type OperatorSession struct {
	Name     string
	Role     storage.OperatorRole
	lastSeen time.Time
}

// May reports whether the session's role allows a screen. An auditor only
// reads the audit log; an operator enrolls; an admin does everything.
func (s *OperatorSession) May(screen string) bool {
	if s == nil {
		return false
	}
	switch s.Role {
	case storage.RoleAdmin:
		return true
	case storage.RoleOperator:
		return screen == ScreenEnroll || screen == ScreenEmployees || screen == ScreenBulk
	case storage.RoleAuditor:
		return screen == ScreenAudit
	}
	return false
}

// IdleLock holds the operator session and ends it when left alone. It
// has no clock of its own: every method takes now, so tests drive time
// without sleeping. Used on the UI goroutine only.
type IdleLock struct {
	cur *OperatorSession
}

// Start opens a session for an operator whose PIN the store accepted.
func (l *IdleLock) Start(now time.Time, op storage.Operator) *OperatorSession {
	l.cur = &OperatorSession{Name: op.Name, Role: op.Role, lastSeen: now}
	return l.cur
}

// Session is the logged-in operator, nil when operator mode is locked.
func (l *IdleLock) Session() *OperatorSession { return l.cur }

// Touch marks operator activity (any tap or typing).
func (l *IdleLock) Touch(now time.Time) {
	if l.cur != nil {
		l.cur.lastSeen = now
	}
}

// Idle reports whether the session has been left alone too long.
func (l *IdleLock) Idle(now time.Time) bool {
	return l.cur != nil && now.Sub(l.cur.lastSeen) >= OperatorIdle
}

// End closes the session.
func (l *IdleLock) End() { l.cur = nil }
