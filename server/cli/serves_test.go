package cli

import "testing"

// Only serving re-executes the process (cmd/hadir-server: huge pages), so
// Serves must tell serving from every maintenance command.
func TestServes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--addr", "127.0.0.1:0"}, true},
		{[]string{"serve", "--db", "sqlite:x.db"}, true},
		{[]string{"code", "--all-units"}, false},
		{[]string{"user", "add"}, false},
		{[]string{"device", "revoke"}, false},
		{[]string{"employee", "delete"}, false},
		{[]string{"help"}, false},
	} {
		if got := Serves(tc.args); got != tc.want {
			t.Errorf("Serves(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
