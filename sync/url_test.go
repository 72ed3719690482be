package sync

import (
	"testing"
)

// Issue 13 #16: plain http to a server that is not this machine is
// refused (tokens and attendance would cross the network in clear).
func TestPlainHTTPToRemoteRefused(t *testing.T) {
	s := openStore(t, t.TempDir())
	for _, bad := range []string{"http://10.1.2.3:8080", "http://absen.kab.go.id", "HTTP://192.168.1.10/hadir"} {
		if _, err := New(s, nil, Options{ServerURL: bad}); err == nil {
			t.Errorf("plain http to %s accepted", bad)
		}
	}
	for _, ok := range []string{"https://absen.kab.go.id", "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"} {
		if _, err := New(s, nil, Options{ServerURL: ok}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}
