package attendance

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateNIP(t *testing.T) {
	cases := []struct {
		nip  string
		want string // "" = valid; else a fragment of the error
	}{
		{"198503102010011001", ""},
		{"197912312005022999", ""},
		{"200002292020121001", ""}, // leap day
		{"19850310201001100", "18 digits"},
		{"1985031020100110011", "18 digits"},
		{"19850310201001100a", "not a digit"},
		{"198502302010011001", "birth date"}, // 30 February
		{"190002292010011001", "birth date"}, // 1900 is not a leap year
		{"188503102010011001", "birth date"}, // before 1900
		{"198503102010131001", "month"},      // month 13
		{"198503102010001001", "month"},      // month 00
		{"198503101980011001", "not after"},  // appointed before birth
		{"198503102010013001", "gender"},     // gender 3
		{"198503102010010001", "gender"},     // gender 0
		{"198503102010011000", "serial"},     // serial 000
		{"", "18 digits"},
	}
	for _, c := range cases {
		err := ValidateNIP(c.nip)
		if c.want == "" {
			if err != nil {
				t.Errorf("ValidateNIP(%q) = %v, want nil", c.nip, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidNIP) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ValidateNIP(%q) = %v, want ErrInvalidNIP mentioning %q", c.nip, err, c.want)
		}
	}
}
