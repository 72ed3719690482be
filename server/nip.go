package server

import (
	"fmt"

	"github.com/hadir-id/hadir/attendance"
)

// ValidateNIP checks an 18-digit civil-servant number with the rule the
// kiosk uses (attendance.ValidateNIP); the error wraps ErrInvalid.
func ValidateNIP(nip string) error {
	if err := attendance.ValidateNIP(nip); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// validID reports whether id is usable as a record id: 1-64 characters
// from [0-9A-Za-z_-], the kiosk store's rule (ULIDs and UUIDs fit).
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
