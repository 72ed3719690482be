package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

// results extracts (id, status, reason) of a POST /events response.
func results(t *testing.T, r Resp) [][3]string {
	t.Helper()
	rs, ok := r.JSON["results"].([]any)
	if !ok {
		t.Fatalf("no results in %s", truncate(r.Raw))
	}
	out := make([][3]string, len(rs))
	for i, x := range rs {
		m := x.(map[string]any)
		out[i] = [3]string{m["id"].(string), m["status"].(string), m["reason"].(string)}
	}
	return out
}

func chainOf(r Resp) (bool, float64, string) {
	c, _ := r.JSON["chain"].(map[string]any)
	ok, _ := c["ok"].(bool)
	at, _ := c["broken_at_seq"].(float64)
	msg, _ := c["message"].(string)
	return ok, at, msg
}

func countEvents(t *testing.T, e *Env) int {
	t.Helper()
	evs, err := e.Store.Events(context.Background(), server.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func testEventsAccepted(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	now := e.Clock.Now()
	evs := []map[string]any{
		d.chain.Next("in", NIP(1), now.Add(-2*time.Hour)),
		d.chain.Next("sighting", "", now.Add(-time.Hour)),
		d.chain.Next("manual", NIP(2), now.Add(-30*time.Minute)),
		d.chain.Next("out", NIP(1), now),
	}
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(evs...))
	e.Want(r, 200, "")
	checkStamp(t, r)
	for i, res := range results(t, r) {
		if res != [3]string{evs[i]["id"].(string), "accepted", ""} {
			t.Errorf("result %d = %v", i, res)
		}
	}
	if ok, _, msg := chainOf(r); !ok {
		t.Errorf("chain of a well-linked batch not ok: %s", msg)
	}
	stored, err := e.Store.Events(context.Background(), server.EventFilter{})
	if err != nil || len(stored) != 4 {
		t.Fatalf("stored %d events, %v", len(stored), err)
	}
	first := stored[0]
	want, _ := time.Parse(time.RFC3339Nano, evs[0]["time"].(string))
	if first.ID != evs[0]["id"] || !first.Time.Equal(want) || first.NIP != NIP(1) || first.Kind != "in" || first.Seq != 1 ||
		first.Zone != "Asia/Jakarta" || first.ClockOffset != -1500000 || first.Distance != 0.31 || first.Liveness != "blink-ok" ||
		first.Hash.String() != evs[0]["hash"] || first.Device != "K1" {
		t.Errorf("stored event %+v", first)
	}
	if first.ReceivedAt.IsZero() || first.ReceivedAt.Before(now.Add(-time.Minute)) {
		t.Errorf("receipt time %v not stored", first.ReceivedAt)
	}
	if stored[2].Approval != server.ApprovalPending {
		t.Errorf("manual event approval %q, want pending", stored[2].Approval)
	}
}

func testEventsIdempotent(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	now := e.Clock.Now()
	var evs []map[string]any
	for i := range 20 {
		evs = append(evs, d.chain.Next("in", NIP(i), now.Add(time.Duration(i)*time.Second)))
	}
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(evs...)), 200, "")
	// The same batch twice: all duplicates, nothing stored twice.
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(evs...))
	e.Want(r, 200, "")
	for i, res := range results(t, r) {
		if res[1] != "duplicate" {
			t.Errorf("re-sent event %d: %v", i, res)
		}
	}
	if ok, _, msg := chainOf(r); !ok {
		t.Errorf("re-sent batch flagged a chain break: %s", msg)
	}
	// Duplicates inside one batch, mixed with a new one.
	next := d.chain.Next("out", NIP(1), now.Add(time.Hour))
	r = e.Do("POST", "/api/v1/events", d.Token, Batch(next, evs[3], next))
	e.Want(r, 200, "")
	got := results(t, r)
	if got[0][1] != "accepted" || got[1][1] != "duplicate" || got[2][1] != "duplicate" {
		t.Errorf("mixed batch results %v", got)
	}
	if n := countEvents(t, e); n != 21 {
		t.Errorf("%d events stored, want 21", n)
	}
}

func testEventsPartialReject(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	now := e.Clock.Now()
	good1 := d.chain.Next("in", NIP(1), now)
	good2 := d.chain.Next("in", NIP(2), now)
	mk := func(mod func(m map[string]any)) map[string]any {
		c := Chain{Device: "K1", Seq: 100}
		m := c.Next("in", NIP(3), now)
		mod(m)
		return m
	}
	cases := []struct {
		name   string
		ev     any
		reason string
	}{
		{"bad kind", mk(func(m map[string]any) { m["kind"] = "lunch" }), "bad_kind"},
		{"bad nip", mk(func(m map[string]any) { m["nip"] = "12345" }), "bad_nip"},
		{"nip checksum-like fields", mk(func(m map[string]any) { m["nip"] = "198513012020011001" }), "bad_nip"},
		{"empty nip for in", mk(func(m map[string]any) { m["nip"] = "" }), "bad_nip"},
		{"bad id", mk(func(m map[string]any) { m["id"] = "not an id!" }), "bad_id"},
		{"missing time", mk(func(m map[string]any) { delete(m, "time") }), "missing_time"},
		{"device mismatch", mk(func(m map[string]any) { m["device"] = "OTHER" }), "device_mismatch"},
		{"wrong type", mk(func(m map[string]any) { m["seq"] = "seven" }), "bad_json"},
		{"bad hash", mk(func(m map[string]any) { m["hash"] = "abc" }), "bad_json"},
		{"bad zone", mk(func(m map[string]any) { m["zone"] = "Mars/Olympus" }), "bad_zone"},
		{"seq zero", mk(func(m map[string]any) { m["seq"] = 0 }), "bad_seq"},
		{"not an object", 42, "bad_json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/events", d.Token, map[string]any{"events": []any{good1, tc.ev, good2}})
			e.Want(r, 200, "")
			got := results(t, r)
			if len(got) != 3 || got[1][1] != "rejected" || got[1][2] != tc.reason {
				t.Fatalf("results %v, want the middle one rejected %q", got, tc.reason)
			}
			if m, ok := tc.ev.(map[string]any); ok && tc.reason != "bad_id" && got[1][0] != m["id"] {
				t.Errorf("rejected result id %q, want %q", got[1][0], m["id"])
			}
			if got[0][1] == "rejected" || got[2][1] == "rejected" {
				t.Errorf("good events rejected: %v", got)
			}
		})
	}
	evs, err := e.Store.Events(context.Background(), server.EventFilter{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("stored %d events (%v), want the 2 good ones", len(evs), err)
	}
}

func testEventsBadBody(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	now := e.Clock.Now()
	one := d.chain.Next("in", NIP(1), now)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"not json", "{{{", 400, "bad_request"},
		{"truncated", `{"events":[`, 400, "bad_request"},
		{"top-level array", `[1,2]`, 400, "bad_request"},
		{"events not a list", `{"events":"many"}`, 400, "bad_request"},
		{"events null", `{"events":null}`, 400, "bad_request"},
		{"missing events", `{}`, 400, "bad_request"},
		{"empty list", `{"events":[]}`, 400, "bad_request"},
		{"trailing data", mustJSON(Batch(one)) + `{"x":1}`, 400, "bad_request"},
		{"too many", Batch(manyEvents(api.MaxBatchEvents+1, one)...), 413, "batch_too_large"},
		{"oversized body", `{"events":[` + strings.Repeat(" ", api.MaxBatchBytes) + `]}`, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/events", d.Token, tc.body)
			e.Want(r, tc.status, tc.code)
			checkStamp(t, r)
		})
	}
	if n := countEvents(t, e); n != 0 {
		t.Errorf("%d events stored from bad bodies", n)
	}
	// Exactly 1000 events are fine.
	c := Chain{Device: "K1"}
	var evs []map[string]any
	for range 1000 {
		evs = append(evs, c.Next("in", NIP(1), now))
	}
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(evs...)), 200, "")
	if n := countEvents(t, e); n != 1000 {
		t.Errorf("%d events stored, want 1000", n)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func manyEvents(n int, ev map[string]any) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = ev
	}
	return out
}

func testEventsChain(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	now := e.Clock.Now()
	var evs []map[string]any
	for i := range 6 {
		evs = append(evs, d.chain.Next("in", NIP(i), now))
	}
	// Batches in order, one by one: the chain holds across batches.
	for i := 0; i < 3; i++ {
		r := e.Do("POST", "/api/v1/events", d.Token, Batch(evs[i]))
		if ok, _, msg := chainOf(r); !ok {
			t.Fatalf("event %d: chain flagged: %s", i, msg)
		}
	}
	// A gap: seq 5 before seq 4. Flagged, but the event is accepted.
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(evs[4]))
	if ok, at, msg := chainOf(r); ok || at != 5 || !strings.Contains(msg, "gap") {
		t.Errorf("gap: chain ok=%v at=%v %q", ok, at, msg)
	}
	if got := results(t, r); got[0][1] != "accepted" {
		t.Errorf("event after a gap: %v", got)
	}
	// A tampered link: seq 7 whose prev_hash is not seq 6's hash.
	e.Do("POST", "/api/v1/events", d.Token, Batch(evs[3], evs[5]))
	bad := d.chain.Next("in", NIP(9), now)
	bad["prev_hash"] = strings.Repeat("ab", 32)
	r = e.Do("POST", "/api/v1/events", d.Token, Batch(bad))
	if ok, at, msg := chainOf(r); ok || at != 7 || !strings.Contains(msg, "prev_hash") {
		t.Errorf("tampered link: chain ok=%v at=%v %q", ok, at, msg)
	}
	if got := results(t, r); got[0][1] != "accepted" {
		t.Errorf("event with a broken link must still be accepted: %v", got)
	}
	devs, err := e.Store.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ch := devs[0].Chain; ch.Breaks != 2 || ch.BrokenAt != 5 || ch.HeadSeq != 7 || ch.Message == "" {
		t.Errorf("device chain record %+v", ch)
	}
	st, _ := e.Store.Stats(context.Background())
	if st.ChainBreaks != 2 {
		t.Errorf("stats chain breaks %d, want 2", st.ChainBreaks)
	}
	m := e.Do("GET", "/metrics", e.MetricsToken, nil)
	for _, want := range []string{"hadir_chain_breaks 2", "hadir_chain_breaks_detected_total 2", `hadir_events_ingested_total{status="accepted"} 7`} {
		if !strings.Contains(string(m.Raw), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// A fork: another event claiming seq 2.
	fork := Chain{Device: "K1", Seq: 1, Prev: hashOf(t, evs[0])}
	r = e.Do("POST", "/api/v1/events", d.Token, Batch(fork.Next("in", NIP(1), now)))
	if ok, at, msg := chainOf(r); ok || at != 2 || !strings.Contains(msg, "fork") {
		t.Errorf("fork: chain ok=%v at=%v %q", ok, at, msg)
	}
}

func hashOf(t *testing.T, ev map[string]any) server.Hash {
	var h server.Hash
	if err := h.UnmarshalText([]byte(ev["hash"].(string))); err != nil {
		t.Fatal(err)
	}
	return h
}
