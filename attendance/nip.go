package attendance

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrInvalidNIP: the NIP is not a well-formed 18-digit civil-servant
// number; the message says which part is wrong.
var ErrInvalidNIP = errors.New("invalid NIP")

// ValidateNIP checks an 18-digit civil-servant number (NIP):
// yyyymmdd birth date, yyyymm appointment (TMT CPNS), gender digit
// (1 male, 2 female) and serial 001-999. A typo in a NIP would file
// attendance under someone else's allowance, so every field is checked.
// The error wraps ErrInvalidNIP and says which part is wrong. The kiosk's
// store and the server both apply this one rule.
func ValidateNIP(nip string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidNIP, nip, fmt.Sprintf(format, args...))
	}
	if len(nip) != 18 {
		return bad("must be 18 digits, got %d characters", len(nip))
	}
	for i := 0; i < len(nip); i++ {
		if nip[i] < '0' || nip[i] > '9' {
			return bad("character %d is not a digit", i+1)
		}
	}
	birth, err := time.Parse("20060102", nip[0:8])
	if err != nil || birth.Format("20060102") != nip[0:8] || birth.Year() < 1900 {
		return bad("birth date %s is not a valid yyyymmdd date", nip[0:8])
	}
	year, _ := strconv.Atoi(nip[8:12])
	month, _ := strconv.Atoi(nip[12:14])
	if month < 1 || month > 12 {
		return bad("appointment month %s is not 01-12", nip[12:14])
	}
	if year < 1900 || year*100+month <= birth.Year()*100+int(birth.Month()) {
		return bad("appointment %s is not after the birth date", nip[8:14])
	}
	if g := nip[14]; g != '1' && g != '2' {
		return bad("gender digit %c is not 1 or 2", g)
	}
	if nip[15:18] == "000" {
		return bad("serial 000 is not 001-999")
	}
	return nil
}
