package sync

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
)

// fakeServer is an in-memory implementation of the device side of the
// wire contract, for unit tests of the worker's logic (answers the real
// server gives rarely or never: mismatched results, 413, skewed clock).
// The fault scenarios run against the real hadir-server.
type fakeServer struct {
	srv *httptest.Server

	mu         gosync.Mutex
	skew       time.Duration     // added to server_time
	codes      map[string]bool   // unused enrollment codes
	tokens     map[string]string // token -> device ID
	revoked    map[string]bool   // device ID -> revoked
	events     map[string]int    // event ID -> times stored
	rejectNIP  map[string]string // events with this NIP are rejected with the reason
	maxEvents  int               // larger batches get 413
	roster     []api.RosterChange
	enrolled   map[string][]api.Template
	heartbeats []api.HeartbeatRequest
	requests   map[string]int // path -> count
	// fault, when set, sees each request first; true means it answered.
	fault func(w http.ResponseWriter, r *http.Request) bool
}

// fakeSecret is the device secret the fake server issues.
var fakeSecret = []byte("fake-device-secret-32-bytes-long")

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{codes: map[string]bool{"CODE-1": true}, tokens: map[string]string{}, revoked: map[string]bool{},
		events: map[string]int{}, rejectNIP: map[string]string{}, maxEvents: api.MaxBatchEvents,
		enrolled: map[string][]api.Template{}, requests: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) now() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Add(f.skew).UTC().Format(time.RFC3339Nano)
}

func (f *fakeServer) reply(w http.ResponseWriter, status int, body map[string]any) {
	body["server_time"] = f.now()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeServer) fail(w http.ResponseWriter, status int, code string) {
	f.reply(w, status, map[string]any{"error": code, "message": code})
}

func (f *fakeServer) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

// total counts every request.
func (f *fakeServer) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.requests {
		n += c
	}
	return n
}

func (f *fakeServer) eventSet() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.events))
	for k, v := range f.events {
		out[k] = v
	}
	return out
}

// addChange appends a roster change with the next revision.
func (f *fakeServer) addChange(c api.RosterChange) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c.Rev = int64(len(f.roster) + 1)
	f.roster = append(f.roster, c)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	fault := f.fault
	f.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	if r.URL.Path == "/api/v1/devices/register" {
		f.register(w, r)
		return
	}
	if r.URL.Path == "/api/v1/time" {
		f.reply(w, 200, map[string]any{})
		return
	}
	f.mu.Lock()
	dev, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	revoked := f.revoked[dev]
	f.mu.Unlock()
	switch {
	case !ok:
		f.fail(w, 401, "unauthorized")
		return
	case revoked:
		f.fail(w, 401, "device_revoked")
		return
	}
	switch r.URL.Path {
	case "/api/v1/events":
		f.pushEvents(w, r, dev)
	case "/api/v1/roster":
		f.rosterPage(w, r)
	case "/api/v1/enrollments":
		f.enroll(w, r)
	case "/api/v1/devices/heartbeat":
		var hb api.HeartbeatRequest
		if err := json.NewDecoder(r.Body).Decode(&hb); err != nil {
			f.fail(w, 400, "bad_request")
			return
		}
		f.mu.Lock()
		f.heartbeats = append(f.heartbeats, hb)
		f.mu.Unlock()
		f.reply(w, 200, map[string]any{})
	default:
		f.fail(w, 404, "not_found")
	}
}

func (f *fakeServer) register(w http.ResponseWriter, r *http.Request) {
	var req api.RegisterRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, 400, "bad_request")
		return
	}
	status, code, tok := f.registerLocked(req)
	if status != 200 {
		f.fail(w, status, code)
		return
	}
	f.reply(w, 200, map[string]any{"device_id": req.DeviceID, "token": tok, "units": []string{"DINKES"},
		"secret": api.EncodeSecret(fakeSecret)})
}

func (f *fakeServer) registerLocked(req api.RegisterRequest) (status int, code, tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.codes[req.Code] {
		return 403, "invalid_code", ""
	}
	for _, d := range f.tokens {
		if d == req.DeviceID && !f.revoked[d] {
			return 409, "device_exists", ""
		}
	}
	delete(f.codes, req.Code)
	delete(f.revoked, req.DeviceID)
	tok = "tok-" + req.DeviceID + "-" + strconv.Itoa(len(f.tokens))
	f.tokens[tok] = req.DeviceID
	return 200, "", tok
}

func (f *fakeServer) pushEvents(w http.ResponseWriter, r *http.Request, dev string) {
	var req struct {
		Events []api.Event `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Events) == 0 {
		f.fail(w, 400, "bad_request")
		return
	}
	f.mu.Lock()
	if len(req.Events) > f.maxEvents {
		f.mu.Unlock()
		f.fail(w, 413, "batch_too_large")
		return
	}
	results := make([]api.EventResult, len(req.Events))
	for i, e := range req.Events {
		res := api.EventResult{ID: e.ID, Status: api.ResultAccepted}
		switch {
		case e.Device != dev:
			res.Status, res.Reason = api.ResultRejected, "device_mismatch"
		case f.rejectNIP[e.NIP] != "":
			res.Status, res.Reason = api.ResultRejected, f.rejectNIP[e.NIP]
		case f.events[e.ID] > 0:
			res.Status = api.ResultDuplicate
		default:
			f.events[e.ID]++
		}
		results[i] = res
	}
	f.mu.Unlock()
	f.reply(w, 200, map[string]any{"results": results, "chain": api.ChainReport{OK: true}})
}

func (f *fakeServer) rosterPage(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 500
	}
	f.mu.Lock()
	var out []api.RosterChange
	for _, c := range f.roster {
		if c.Rev > since && len(out) < limit {
			out = append(out, c)
		}
	}
	rev := int64(len(f.roster))
	more := len(out) > 0 && out[len(out)-1].Rev < rev
	if len(out) > 0 {
		rev = out[len(out)-1].Rev
	}
	f.mu.Unlock()
	f.reply(w, 200, map[string]any{"revision": rev, "more": more, "changes": out})
}

func (f *fakeServer) enroll(w http.ResponseWriter, r *http.Request) {
	var req api.EnrollmentRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Templates) == 0 {
		f.fail(w, 400, "bad_request")
		return
	}
	f.mu.Lock()
	for other, ts := range f.enrolled {
		if other == req.Employee.NIP {
			continue
		}
		for _, a := range ts {
			for _, b := range req.Templates {
				if d := wireDistance(a, b); d < 0.42 {
					f.mu.Unlock()
					f.reply(w, 409, map[string]any{"error": "duplicate_face", "message": "face matches " + other,
						"conflict_nip": other, "conflict_name": "Pegawai " + other, "distance": d})
					return
				}
			}
		}
	}
	f.enrolled[req.Employee.NIP] = req.Templates
	f.mu.Unlock()
	emp := req.Employee
	f.addChange(api.RosterChange{NIP: emp.NIP, Employee: &emp, Templates: req.Templates})
	f.reply(w, 200, map[string]any{"revision": len(f.roster)})
}

func wireDistance(a, b api.Template) float64 {
	da, _ := api.DecodeDescriptor(a.Descriptor)
	db, _ := api.DecodeDescriptor(b.Descriptor)
	var s float64
	for i := range da {
		d := float64(da[i] - db[i])
		s += d * d
	}
	return math.Sqrt(s)
}
