package storage

import "github.com/hadir-id/hadir/attendance"

// ValidateNIP checks an 18-digit civil-servant number (attendance.ValidateNIP,
// the one rule the kiosk and the server share); the error wraps ErrInvalidNIP.
func ValidateNIP(nip string) error { return attendance.ValidateNIP(nip) }
