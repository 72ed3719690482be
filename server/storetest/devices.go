package storetest

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// checkStamp asserts the contract's server_time body field and Date header.
func checkStamp(t *testing.T, r Resp) {
	t.Helper()
	if r.Header.Get("Date") == "" {
		t.Errorf("response has no Date header")
	}
	if r.JSON == nil {
		return
	}
	st := r.Str("server_time")
	if _, err := time.Parse(time.RFC3339Nano, st); err != nil || len(st) != len("2006-01-02T15:04:05.000000000Z") {
		t.Errorf("server_time %q is not RFC 3339 UTC with nanoseconds", st)
	}
}

func testTime(t *testing.T, b Backend) {
	e := Start(t, b)
	r := e.Do("GET", "/api/v1/time", "", nil)
	e.Want(r, 200, "")
	checkStamp(t, r)
	r = e.Do("GET", "/api/v1/nowhere", "", nil)
	e.Want(r, 404, "not_found")
	checkStamp(t, r)
	r = e.Do("GET", "/api/v1/events", "", nil)
	e.Want(r, 405, "method_not_allowed")
	checkStamp(t, r)
	if r.Header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
}

func testRegister(t *testing.T, b Backend) {
	e := Start(t, b)
	code := e.Code(time.Hour, "DINKES")
	body := map[string]any{"code": code, "device_id": "KIOSK-1", "name": "Lobby BKPSDM", "app_version": "0.3.0"}
	r := e.Do("POST", "/api/v1/devices/register", "", body)
	e.Want(r, 200, "")
	checkStamp(t, r)
	if r.Str("device_id") != "KIOSK-1" || len(r.Str("token")) < 43 {
		t.Fatalf("register response %s", r.Raw)
	}
	if u, _ := r.JSON["units"].([]any); len(u) != 1 || u[0] != "DINKES" {
		t.Errorf("units = %v, want [DINKES]", r.JSON["units"])
	}
	// Codes are single-use, even for another device.
	body["device_id"] = "KIOSK-2"
	e.Want(e.Do("POST", "/api/v1/devices/register", "", body), 403, "invalid_code")
	// A fresh code for an already registered device: 409, and the code
	// stays unused.
	code2 := e.Code(time.Hour)
	r = e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": code2, "device_id": "KIOSK-1"})
	e.Want(r, 409, "device_exists")
	checkStamp(t, r)
	r = e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": code2, "device_id": "KIOSK-2"})
	e.Want(r, 200, "")
	if u, _ := r.JSON["units"].([]any); u == nil || len(u) != 0 {
		t.Errorf("units of an all-units code = %v, want []", r.JSON["units"])
	}
	// Expired and unknown codes.
	expired := e.Code(time.Hour)
	e.Clock.Advance(2 * time.Hour)
	e.Want(e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": expired, "device_id": "KIOSK-3"}), 403, "invalid_code")
	e.Want(e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": "NOPE-NOPE", "device_id": "KIOSK-3"}), 403, "invalid_code")
	// A code typed by hand: lower case, no dashes.
	typed := e.Code(time.Hour)
	e.Want(e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": lowerNoDash(typed), "device_id": "KIOSK-3"}), 200, "")
	// Bad bodies.
	for _, bad := range []any{`{"code":`, `[]`, `{"code":1}`, map[string]any{"code": e.Code(time.Hour), "device_id": "has space"}} {
		r := e.Do("POST", "/api/v1/devices/register", "", bad)
		e.Want(r, 400, "bad_request")
		checkStamp(t, r)
	}
	// A revoked device registers again with a new code and gets a new token.
	if err := e.Store.RevokeDevice(context.Background(), "KIOSK-1", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r = e.Do("POST", "/api/v1/devices/register", "", map[string]any{"code": e.Code(time.Hour, "DINSOS"), "device_id": "KIOSK-1"})
	e.Want(r, 200, "")
	e.Want(e.Do("GET", "/api/v1/roster", r.Str("token"), nil), 200, "")
}

func lowerNoDash(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func testDeviceAuth(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	for _, path := range []string{"/api/v1/roster"} {
		e.Want(e.Do("GET", path, "", nil), 401, "unauthorized")
		r := e.Do("GET", path, "not-a-token", nil)
		e.Want(r, 401, "unauthorized")
		checkStamp(t, r)
	}
	e.Want(e.Do("POST", "/api/v1/devices/heartbeat", d.Token, map[string]any{"backlog": 1}), 200, "")
	if err := e.Store.RevokeDevice(context.Background(), "K1", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ method, path string }{
		{"POST", "/api/v1/devices/heartbeat"}, {"POST", "/api/v1/events"}, {"GET", "/api/v1/roster"}, {"POST", "/api/v1/enrollments"},
	} {
		r := e.Do(req.method, req.path, d.Token, map[string]any{})
		e.Want(r, 401, "device_revoked")
	}
	if err := e.Store.RevokeDevice(context.Background(), "NOPE", e.Clock.Now()); err == nil {
		t.Error("revoking an unknown device: no error")
	}
}

func testHeartbeat(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	oldest := e.Clock.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	r := e.Do("POST", "/api/v1/devices/heartbeat", d.Token, map[string]any{
		"backlog": 123, "oldest_pending": oldest.Format(time.RFC3339), "clock_offset_ns": -90 * int64(time.Second),
		"camera_fps": 24.5, "free_disk_bytes": 123456789, "app_version": "0.3.1", "last_error": "camera busy", "extra": true,
	})
	e.Want(r, 200, "")
	checkStamp(t, r)
	devs, err := e.Store.Devices(context.Background())
	if err != nil || len(devs) != 1 {
		t.Fatalf("devices %v %v", devs, err)
	}
	hb := devs[0].Heartbeat
	if hb.Backlog != 123 || !hb.OldestPending.Equal(oldest) || hb.ClockOffset != -90*time.Second || hb.CameraFPS != 24.5 ||
		hb.FreeDisk != 123456789 || hb.AppVersion != "0.3.1" || hb.LastError != "camera busy" || !hb.ClockFlagged || hb.Received.IsZero() {
		t.Errorf("stored heartbeat %+v", hb)
	}
	if devs[0].AppVersion != "0.3.1" {
		t.Errorf("device app version %q, want the heartbeat's", devs[0].AppVersion)
	}
	e.Want(e.Do("POST", "/api/v1/devices/heartbeat", d.Token, map[string]any{"clock_offset_ns": int64(time.Second)}), 200, "")
	devs, _ = e.Store.Devices(context.Background())
	if devs[0].Heartbeat.ClockFlagged || devs[0].Heartbeat.Backlog != 0 {
		t.Errorf("latest heartbeat not stored: %+v", devs[0].Heartbeat)
	}
	for _, bad := range []any{`{"backlog":"many"}`, `not json`, map[string]any{"backlog": -1}} {
		e.Want(e.Do("POST", "/api/v1/devices/heartbeat", d.Token, bad), http.StatusBadRequest, "bad_request")
	}
	st, err := e.Store.Stats(context.Background())
	if err != nil || st.Devices != 1 {
		t.Errorf("stats %+v %v", st, err)
	}
}
