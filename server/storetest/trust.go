package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

// Issue 13, device side: each test attacks the real server over HTTP.

var (
	_ = register("TrustForgedChain", testForgedChain)
	_ = register("TrustHeldUnits", testHeldUnits)
	_ = register("TrustClock", testClock)
	_ = register("TrustBacklogClamp", testBacklogClamp)
	_ = register("TrustTakeover", testTakeover)
	_ = register("TrustDuplicateScope", testDuplicateScope)
	_ = register("TrustServerOwnedFields", testServerOwnedFields)
	_ = register("TrustEventIDsPerDevice", testEventIDsPerDevice)
	_ = register("TrustManualDecisionPerDevice", testManualDecisionPerDevice)
)

func statuses(t *testing.T, r Resp) []string {
	t.Helper()
	var out []string
	for _, res := range results(t, r) {
		out = append(out, res[1]+"/"+res[2])
	}
	return out
}

func counted(t *testing.T, e *Env) map[string]bool {
	t.Helper()
	evs, err := e.Store.Events(context.Background(), server.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, ev := range evs {
		out[ev.ID] = true
	}
	return out
}

// #10: a chain re-hashed consistently but without the device secret, or
// content that does not hash to its hash, is refused.
func testForgedChain(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	d := e.Register("K1")
	now := e.Clock.Now()
	good := d.Next("in", NIP(1), now.Add(-time.Hour))
	forger := Chain{Device: "K1", Secret: []byte("guessed-secret-of-32-bytes-long!"), Seq: 1, Prev: hashOf(t, good)}
	forged := forger.Next("in", NIP(1), now.Add(-50*time.Minute))
	altered := d.Next("out", NIP(1), now.Add(-40*time.Minute))
	altered["time"] = now.Add(-4 * time.Hour).UTC().Format(time.RFC3339Nano) // hash and MAC of the original
	unsigned := d.Next("out", NIP(1), now.Add(-30*time.Minute))
	delete(unsigned, "mac")
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(good, forged, altered, unsigned))
	e.Want(r, 200, "")
	got := statuses(t, r)
	want := []string{"accepted/", "rejected/" + api.ReasonBadMAC, "rejected/" + api.ReasonBadHash, "rejected/" + api.ReasonBadMAC}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("results %v, want %v", got, want)
	}
	if c := counted(t, e); len(c) != 1 || !c[good["id"].(string)] {
		t.Errorf("stored %v, want only the genuine event", c)
	}
}

// #2: events for NIPs outside the device's units at the event's time, or
// unknown, are stored but kept aside, listed for HR and released by an
// admin, with an audit entry.
func testHeldUnits(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	put(t, e, NIP(2), "Budi", "DINSOS", Templates(Seed(2), 1))
	d := e.Register("K1", "DINKES")
	now := e.Clock.Now()
	own := d.Next("in", NIP(1), now.Add(-3*time.Hour))
	other := d.Next("in", NIP(2), now.Add(-3*time.Hour))
	ghost := d.Next("in", NIP(77), now.Add(-3*time.Hour))
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(own, other, ghost))
	e.Want(r, 200, "")
	want := []string{"accepted/", "accepted/" + api.HeldOtherUnit, "accepted/" + api.HeldUnknownNIP}
	if got := statuses(t, r); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("results %v, want %v (stored, kept aside, so the kiosk stops resending)", got, want)
	}
	if c := counted(t, e); len(c) != 1 || !c[own["id"].(string)] {
		t.Fatalf("counted events %v, want only the DINKES employee's", c)
	}
	// HR sees the kept-aside events, scoped to their units.
	admin := e.As("admin", server.RoleAdmin)
	dinkes := e.As("op-dinkes", server.RoleOperator, "DINKES")
	dinsos := e.As("op-dinsos", server.RoleOperator, "DINSOS")
	dinas := e.As("op-other", server.RoleOperator, "DISHUB")
	ids := func(tok string) string {
		r := e.Do("GET", "/api/v1/held-events", tok, nil)
		e.Want(r, 200, "")
		var out []string
		for _, x := range r.JSON["events"].([]any) {
			m := x.(map[string]any)
			out = append(out, m["nip"].(string)+":"+m["held"].(string))
		}
		return strings.Join(out, ",")
	}
	both := NIP(2) + ":" + api.HeldOtherUnit + "," + NIP(77) + ":" + api.HeldUnknownNIP
	if got := ids(admin); got != both && got != NIP(77)+":"+api.HeldUnknownNIP+","+NIP(2)+":"+api.HeldOtherUnit {
		t.Errorf("admin sees %q", got)
	}
	if got := ids(dinsos); got != NIP(2)+":"+api.HeldOtherUnit {
		t.Errorf("DINSOS operator sees %q, want only their employee's event", got)
	}
	if got := ids(dinas); got != "" {
		t.Errorf("an unrelated unit's operator sees %q", got)
	}
	if got := ids(dinkes); !strings.Contains(got, NIP(77)) {
		t.Errorf("the device's unit operator does not see the unknown NIP: %q", got)
	}
	// Only an admin releases; once; audited; it then counts.
	path := "/api/v1/held-events/K1/" + other["id"].(string)
	e.Want(e.Do("POST", path+"/release", dinsos, nil), 403, "")
	e.Want(e.Do("POST", path+"/release", admin, nil), 200, "")
	e.Want(e.Do("POST", path+"/dismiss", admin, nil), 409, "conflict")
	e.Want(e.Do("POST", "/api/v1/held-events/K1/"+ghost["id"].(string)+"/dismiss", admin, nil), 200, "")
	if c := counted(t, e); len(c) != 2 || !c[other["id"].(string)] || c[ghost["id"].(string)] {
		t.Errorf("counted after review %v", c)
	}
	audit := string(e.Do("GET", "/api/v1/audit", admin, nil).Raw)
	if !strings.Contains(audit, "event.released") || !strings.Contains(audit, "event.dismissed") {
		t.Errorf("review not audited: %s", truncate([]byte(audit)))
	}
	// A transfer counts each event for the unit of its time.
	e.Want(e.Do("POST", "/api/v1/employees/"+NIP(1)+"/transfer", admin, map[string]any{"unit": "DINSOS"}), 200, "")
	before := d.Next("out", NIP(1), now.Add(-2*time.Hour))
	after := d.Next("in", NIP(1), now.Add(time.Minute))
	r = e.Do("POST", "/api/v1/events", d.Token, Batch(before, after))
	if got := statuses(t, r); strings.Join(got, " ") != "accepted/ accepted/"+api.HeldOtherUnit {
		t.Errorf("around a transfer: %v, want the later event kept aside", got)
	}
}

// #6: the clock offset is applied; events in the future after correction
// or with absurd dates are kept aside; a large offset is flagged.
func testClock(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	d := e.Register("K1")
	now := e.Clock.Now()
	mk := func(at time.Time, offset time.Duration) map[string]any {
		ev := api.Event{ID: NewULID(), Kind: "in", NIP: NIP(1), Time: at, ClockOffset: offset, Device: "K1",
			Seq: d.chain.Seq + 1, RecordedAt: now, PrevHash: d.chain.Prev}
		Seal(d.Secret, &ev)
		d.chain.Seq, d.chain.Prev = ev.Seq, ev.Hash
		return wireMap(ev)
	}
	skewed := mk(now.Add(-time.Hour), -90*time.Second)          // kiosk 90 s fast: counted, flagged, corrected
	ahead := mk(now.Add(-time.Minute), 2*time.Hour)             // corrected: 2 h in the future
	future := mk(now.Add(10*time.Minute), 0)                    // device clock ahead, no offset known
	old := mk(time.Date(1999, 12, 31, 8, 0, 0, 0, time.UTC), 0) // reset clock
	late := mk(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), 0)  // beyond int64 nanoseconds
	r := e.Do("POST", "/api/v1/events", d.Token, Batch(skewed, ahead, future, old, late))
	e.Want(r, 200, "")
	want := []string{"accepted/", "accepted/" + api.HeldFuture, "accepted/" + api.HeldFuture, "accepted/" + api.HeldAbsurdTime, "accepted/" + api.HeldAbsurdTime}
	if got := statuses(t, r); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("results %v, want %v", got, want)
	}
	if c := counted(t, e); len(c) != 1 || !c[skewed["id"].(string)] {
		t.Fatalf("counted %v, want only the skewed-but-plausible event", c)
	}
	evs, _ := e.Store.Events(context.Background(), server.EventFilter{ID: skewed["id"].(string)})
	raw, _ := json.Marshal(evs[0])
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	at, _ := time.Parse(time.RFC3339Nano, skewed["time"].(string))
	if m["corrected_time"] != at.Add(-90*time.Second).UTC().Format(time.RFC3339Nano) || m["clock_flagged"] != true {
		t.Errorf("stored corrected_time %v clock_flagged %v, want %v and true", m["corrected_time"], m["clock_flagged"], at.Add(-90*time.Second))
	}
	// A device registered now: an event from before its registration.
	d2 := e.RegisterNow("K2")
	r = e.Do("POST", "/api/v1/events", d2.Token, Batch(d2.Next("in", NIP(1), e.Clock.Now().Add(-time.Hour))))
	if got := statuses(t, r); got[0] != "accepted/"+api.HeldBeforeDevice {
		t.Errorf("event before registration: %v", got)
	}
}

// #7: a backlog claim cannot reach before the device's registration or
// its newest received event; one older than the limit is a fleet alert.
func testBacklogClamp(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	d := e.RegisterNow("K1")
	logins := 0
	device := func(id string) map[string]any {
		logins++ // the clock moves past the token lifetime: a fresh login each time
		admin := e.As(fmt.Sprintf("admin%d", logins), server.RoleAdmin)
		for _, x := range e.Do("GET", "/api/v1/devices", admin, nil).JSON["devices"].([]any) {
			if m := x.(map[string]any); m["id"] == id {
				return m
			}
		}
		t.Fatalf("device %s not listed", id)
		return nil
	}
	hb := func(tok string, oldest time.Time) map[string]any {
		e.Want(e.Do("POST", "/api/v1/devices/heartbeat", tok, map[string]any{"backlog": 5, "oldest_pending": oldest.Format(time.RFC3339Nano)}), 200, "")
		return device("K1")
	}
	m := hb(d.Token, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	created, _ := time.Parse(time.RFC3339Nano, m["created_at"].(string))
	got := m["heartbeat"].(map[string]any)
	if op, _ := time.Parse(time.RFC3339Nano, got["oldest_pending"].(string)); !op.Equal(created) {
		t.Errorf("oldest_pending %v after a claim of 2000-01-01, want the registration %v", got["oldest_pending"], created)
	}
	// After an event is acknowledged, the backlog cannot predate it.
	e.Clock.Advance(2 * time.Hour)
	ev := d.Next("in", NIP(1), e.Clock.Now().Add(-time.Hour))
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(ev)), 200, "")
	got = hb(d.Token, created)["heartbeat"].(map[string]any)
	at, _ := time.Parse(time.RFC3339Nano, ev["time"].(string))
	if op, _ := time.Parse(time.RFC3339Nano, got["oldest_pending"].(string)); !op.Equal(at) {
		t.Errorf("oldest_pending %v, want the newest acknowledged event's time %v", got["oldest_pending"], at)
	}
	// A claim older than 14 days: an alert, and nothing excused.
	e.Clock.Advance(20 * 24 * time.Hour)
	got = hb(d.Token, at)["heartbeat"].(map[string]any)
	if got["backlog_alert"] == nil || got["backlog_alert"] == "" {
		t.Errorf("20-day backlog claim raised no alert: %v", got)
	}
	recv, _ := time.Parse(time.RFC3339Nano, got["received"].(string))
	if op, _ := time.Parse(time.RFC3339Nano, got["oldest_pending"].(string)); !op.Equal(recv) {
		t.Errorf("alerted claim still excuses from %v (received %v)", op, recv)
	}
}

// #1: a device may not take over an employee of another unit; an admin
// transfers them, audited.
func testTakeover(t *testing.T, b Backend) {
	e := Start(t, b)
	rng := Seed(5)
	victim := Templates(rng, 2)
	put(t, e, NIP(1), "Budi", "DINSOS", victim)
	d := e.Register("K1", "DINKES")
	body := map[string]any{"employee": map[string]any{"nip": NIP(1), "name": "Budi", "unit": "DINKES"},
		"templates": []any{WireTemplate(Templates(rng, 1)[0])}}
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, body), 403, "forbidden")
	emp, tpls, err := e.Store.Employee(context.Background(), NIP(1))
	if err != nil || emp.Unit != "DINSOS" || len(tpls) != 2 || tpls[0].Descriptor != victim[0].Descriptor && tpls[1].Descriptor != victim[0].Descriptor {
		t.Fatalf("after a refused takeover: %+v, %d templates, %v", emp, len(tpls), err)
	}
	admin := e.As("admin", server.RoleAdmin)
	op := e.As("op", server.RoleOperator, "DINKES", "DINSOS")
	path := "/api/v1/employees/" + NIP(1) + "/transfer"
	e.Want(e.Do("POST", path, op, map[string]any{"unit": "DINKES"}), 403, "")
	e.Want(e.Do("POST", path, admin, map[string]any{"unit": "DINKES"}), 200, "")
	e.Want(e.Do("POST", path, admin, map[string]any{"unit": "DINKES"}), 409, "conflict")
	emp, tpls, _ = e.Store.Employee(context.Background(), NIP(1))
	if emp.Unit != "DINKES" || len(tpls) != 2 {
		t.Errorf("after transfer: %+v with %d templates", emp, len(tpls))
	}
	if !strings.Contains(string(e.Do("GET", "/api/v1/audit", admin, nil).Raw), "employee.transfer") {
		t.Error("transfer not audited")
	}
	// Now the DINKES kiosk may re-enroll them.
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, body), 200, "")
}

// #8: a duplicate face outside the caller's units is a bare 409.
func testDuplicateScope(t *testing.T, b Backend) {
	e := Start(t, b)
	rng := Seed(6)
	other := Templates(rng, 1)
	own := Templates(rng, 1)
	put(t, e, NIP(1), "Rahasia", "DINSOS", other)
	put(t, e, NIP(2), "Kolega", "DINKES", own)
	d := e.Register("K1", "DINKES")
	enroll := func(nip string, tpl server.Template) Resp {
		tpl.ID = NewULID()
		return e.Do("POST", "/api/v1/enrollments", d.Token, map[string]any{
			"employee": map[string]any{"nip": nip, "name": "Baru", "unit": "DINKES"}, "templates": []any{WireTemplate(tpl)}})
	}
	r := enroll(NIP(3), other[0])
	e.Want(r, 409, "duplicate_face")
	for _, leak := range []string{NIP(1), "Rahasia", "conflict_nip", "distance"} {
		if strings.Contains(string(r.Raw), leak) {
			t.Errorf("409 for another unit's face leaks %q: %s", leak, r.Raw)
		}
	}
	r = enroll(NIP(4), own[0])
	e.Want(r, 409, "duplicate_face")
	if r.Str("conflict_nip") != NIP(2) || r.Str("conflict_name") != "Kolega" {
		t.Errorf("own-unit conflict lost its detail: %s", r.Raw)
	}
}

// #12: devices cannot set server-owned fields.
func testServerOwnedFields(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	d := e.Register("K1")
	now := e.Clock.Now()
	manual := d.Next("manual", NIP(1), now.Add(-time.Hour))
	in := d.Next("in", NIP(1), now.Add(-30*time.Minute))
	for _, m := range []map[string]any{manual, in} {
		m["approval"], m["approved_by"], m["approved_at"] = "approved", "user:evil", now.Format(time.RFC3339)
		m["received_at"], m["held"], m["review"] = "2001-01-01T00:00:00Z", "", "released"
	}
	e.Want(e.Do("POST", "/api/v1/events", d.Token, Batch(manual, in)), 200, "")
	evs, err := e.Store.Events(context.Background(), server.EventFilter{NIP: NIP(1)})
	if err != nil || len(evs) != 2 {
		t.Fatalf("stored %d, %v", len(evs), err)
	}
	for _, ev := range evs {
		raw, _ := json.Marshal(ev)
		if strings.Contains(string(raw), "evil") || strings.Contains(string(raw), "2001-01-01") || ev.Approval == server.ApprovalApproved {
			t.Errorf("device-set server fields stored: %s", raw)
		}
	}
}

// #12: event ids are per device; the same id with other content from
// the same device is a conflict, not a duplicate.
func testEventIDsPerDevice(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	d1, d2 := e.Register("K1"), e.Register("K2")
	now := e.Clock.Now()
	a := d1.Next("in", NIP(1), now.Add(-time.Hour))
	ev := api.Event{ID: a["id"].(string), Kind: "in", NIP: NIP(1), Time: now.Add(-50 * time.Minute), Device: "K2", Seq: 1, RecordedAt: now}
	Seal(d2.Secret, &ev)
	e.Want(e.Do("POST", "/api/v1/events", d1.Token, Batch(a)), 200, "")
	r := e.Do("POST", "/api/v1/events", d2.Token, Batch(wireMap(ev)))
	if got := statuses(t, r); got[0] != "accepted/" {
		t.Errorf("K2's event with K1's id: %v, want accepted", got)
	}
	same := Chain{Device: "K1", Secret: d1.Secret, Seq: 1, Prev: hashOf(t, a)}
	clash := same.Next("out", NIP(1), now.Add(-10*time.Minute))
	clash["id"] = a["id"]
	var w api.Event
	_ = json.Unmarshal([]byte(mustJSON(clash)), &w)
	Seal(d1.Secret, &w)
	r = e.Do("POST", "/api/v1/events", d1.Token, Batch(wireMap(w)))
	if got := statuses(t, r); got[0] != api.ResultConflict+"/"+api.ReasonIDConflict {
		t.Errorf("same id, other content: %v, want a conflict", got)
	}
	if got := statuses(t, e.Do("POST", "/api/v1/events", d1.Token, Batch(a))); got[0] != "duplicate/already stored" {
		t.Errorf("true re-send: %v", got)
	}
	evs, _ := e.Store.Events(context.Background(), server.EventFilter{NIP: NIP(1)})
	if len(evs) != 2 {
		t.Errorf("%d events stored, want K1's and K2's", len(evs))
	}
}

// testManualDecisionPerDevice: event ids are unique per device only, so a
// decision names the device. A kiosk of another unit that reuses a
// pending manual event's id can neither have its own event decided by
// the decision on the real one nor block it: without ?device= the answer
// is 409 ambiguous_event, with it exactly that device's event changes.
func testManualDecisionPerDevice(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "Ani", "DINKES", Templates(Seed(1), 1))
	put(t, e, NIP(2), "Budi", "DINSOS", Templates(Seed(2), 1))
	head := e.As("kepala", server.RoleHead, "DINKES")
	real, rogue := e.Register("K1", "DINKES"), e.Register("K2", "DINSOS")
	now := e.Clock.Now()
	m := real.Next("manual", NIP(1), now.Add(-2*time.Hour))
	e.Want(e.Do("POST", "/api/v1/events", real.Token, Batch(m)), 200, "")
	id := m["id"].(string)
	fake := api.Event{ID: id, Kind: "manual", NIP: NIP(2), Time: now.Add(-time.Hour), Device: "K2", Seq: 1, RecordedAt: now}
	Seal(rogue.Secret, &fake)
	e.Want(e.Do("POST", "/api/v1/events", rogue.Token, Batch(wireMap(fake))), 200, "")

	e.Want(e.Do("POST", "/api/v1/manual-events/"+id+"/approve", head, map[string]any{"note": "ok"}), 409, "ambiguous_event")
	e.Want(e.Do("POST", "/api/v1/manual-events/"+id+"/approve?device=K2", head, map[string]any{"note": "ok"}), 403, "")
	e.Want(e.Do("POST", "/api/v1/manual-events/"+id+"/approve?device=K1", head, map[string]any{"note": "ok"}), 200, "")

	for dev, want := range map[string]string{"K1": server.ApprovalApproved, "K2": server.ApprovalPending} {
		evs, err := e.Store.Events(context.Background(), server.EventFilter{ID: id, Device: dev, Scope: server.ScopeAll})
		if err != nil || len(evs) != 1 {
			t.Fatalf("device %s event %s: %v, %v", dev, id, evs, err)
		}
		if evs[0].Approval != want {
			t.Errorf("device %s's event is %q, want %q", dev, evs[0].Approval, want)
		}
	}
}
