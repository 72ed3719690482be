package server

import (
	"fmt"
	"strconv"
	"time"
)

// ValidateNIP checks an 18-digit civil-servant number the way the kiosk
// does (storage.ValidateNIP, which the server may not import): birth date
// yyyymmdd, appointment yyyymm after it, gender digit 1/2, serial 001-999.
// A mistyped NIP files attendance under someone else's allowance.
func ValidateNIP(nip string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: NIP %q: %s", ErrInvalid, nip, fmt.Sprintf(format, args...))
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
