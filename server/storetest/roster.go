package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
)

// pull pages through the roster as a kiosk does and returns every change.
func pull(t *testing.T, e *Env, token string, since int64, limit int) ([]map[string]any, int64) {
	t.Helper()
	var all []map[string]any
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("roster paging does not end")
		}
		r := e.Do("GET", fmt.Sprintf("/api/v1/roster?since=%d&limit=%d", since, limit), token, nil)
		e.Want(r, 200, "")
		for _, c := range r.JSON["changes"].([]any) {
			all = append(all, c.(map[string]any))
		}
		since = int64(r.Num("revision"))
		if more, _ := r.JSON["more"].(bool); !more {
			return all, since
		}
	}
}

func put(t *testing.T, e *Env, nip, name, unit string, tpls []server.Template) int64 {
	t.Helper()
	rev, err := e.Store.PutEmployee(context.Background(), server.Employee{NIP: nip, Name: name, Unit: unit, Status: "active"}, tpls, server.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func testRoster(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	rng := Seed(1)
	r := e.Do("GET", "/api/v1/roster", d.Token, nil)
	e.Want(r, 200, "")
	checkStamp(t, r)
	if r.Num("revision") != 0 || r.JSON["more"] != false || len(r.JSON["changes"].([]any)) != 0 {
		t.Fatalf("empty roster: %s", r.Raw)
	}
	tpls := map[string][]server.Template{}
	var last int64
	for i := range 7 {
		tpls[NIP(i)] = Templates(rng, 1+i%3)
		rev := put(t, e, NIP(i), fmt.Sprintf("Pegawai %d", i), "DINKES", tpls[NIP(i)])
		if rev <= last {
			t.Fatalf("revision %d after %d", rev, last)
		}
		last = rev
	}
	changes, rev := pull(t, e, d.Token, 0, 3)
	if len(changes) != 7 || rev != last {
		t.Fatalf("pulled %d changes up to rev %d, want 7 up to %d", len(changes), rev, last)
	}
	prev := 0.0
	for _, c := range changes {
		if c["rev"].(float64) <= prev {
			t.Errorf("changes not ordered by rev")
		}
		prev = c["rev"].(float64)
		nip := c["nip"].(string)
		emp := c["employee"].(map[string]any)
		if emp["nip"] != nip || emp["unit"] != "DINKES" || emp["status"] != "active" || c["deleted"] != false {
			t.Errorf("change %v", c)
		}
		got := c["templates"].([]any)
		if len(got) != len(tpls[nip]) {
			t.Fatalf("%s: %d templates, want %d", nip, len(got), len(tpls[nip]))
		}
		for _, g := range got {
			gt := g.(map[string]any)
			want := findTemplate(tpls[nip], gt["id"].(string))
			desc, err := api.DecodeDescriptor(gt["descriptor"].(string))
			if err != nil || want == nil || desc != want.Descriptor {
				t.Errorf("%s template %v: descriptor does not round-trip (%v)", nip, gt["id"], err)
			}
			q := gt["quality"].(map[string]any)
			if q["face_width"] != 120.0 || q["sharpness"] != 40.5 || gt["taken_at"] == "" {
				t.Errorf("template quality/taken_at %v", gt)
			}
		}
	}
	// Incremental: nothing new.
	r = e.Do("GET", fmt.Sprintf("/api/v1/roster?since=%d", rev), d.Token, nil)
	if len(r.JSON["changes"].([]any)) != 0 || int64(r.Num("revision")) != rev {
		t.Errorf("pull with nothing new: %s", r.Raw)
	}
	// A change and an erasure: only those come.
	put(t, e, NIP(2), "Pegawai Dua", "DINKES", Templates(rng, 2))
	if _, err := e.Store.DeleteEmployee(context.Background(), NIP(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.DeleteEmployee(context.Background(), NIP(4)); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	changes, rev2 := pull(t, e, d.Token, rev, 500)
	if len(changes) != 2 || changes[0]["nip"] != NIP(2) || changes[1]["nip"] != NIP(4) || rev2 <= rev {
		t.Fatalf("incremental pull %v", changes)
	}
	if changes[0]["employee"].(map[string]any)["name"] != "Pegawai Dua" || len(changes[0]["templates"].([]any)) != 2 {
		t.Errorf("changed employee not sent in full: %v", changes[0])
	}
	if changes[1]["deleted"] != true || changes[1]["employee"] != nil || changes[1]["templates"] != nil {
		t.Errorf("deletion change %v", changes[1])
	}
	if _, _, err := e.Store.Employee(context.Background(), NIP(4)); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("erased employee still readable: %v", err)
	}
	// Bad parameters.
	for _, q := range []string{"since=-1", "since=abc", "limit=0", "limit=x"} {
		e.Want(e.Do("GET", "/api/v1/roster?"+q, d.Token, nil), 400, "bad_request")
	}
	r = e.Do("GET", "/api/v1/roster?limit=999999", d.Token, nil)
	e.Want(r, 200, "")
}

func findTemplate(ts []server.Template, id string) *server.Template {
	for i := range ts {
		if ts[i].ID == id {
			return &ts[i]
		}
	}
	return nil
}

func testRosterUnits(t *testing.T, b Backend) {
	e := Start(t, b)
	rng := Seed(2)
	dinkes := e.Register("K-DINKES", "DINKES")
	both := e.Register("K-BOTH", "DINKES", "DINSOS")
	all := e.Register("K-ALL")
	put(t, e, NIP(1), "A", "DINKES", Templates(rng, 1))
	put(t, e, NIP(2), "B", "DINSOS", Templates(rng, 1))
	put(t, e, NIP(3), "C", "BAPPEDA", Templates(rng, 1))
	count := func(tok string) (int, int64) {
		c, rev := pull(t, e, tok, 0, 500)
		return len(c), rev
	}
	if n, _ := count(dinkes.Token); n != 1 {
		t.Errorf("DINKES kiosk got %d changes, want 1", n)
	}
	if n, _ := count(both.Token); n != 2 {
		t.Errorf("DINKES+DINSOS kiosk got %d changes, want 2", n)
	}
	n, rev := count(all.Token)
	if n != 3 {
		t.Errorf("all-units kiosk got %d changes, want 3", n)
	}
	// Moving A to DINSOS: the DINKES kiosk is told to erase A.
	put(t, e, NIP(1), "A", "DINSOS", Templates(rng, 1))
	c, _ := pull(t, e, dinkes.Token, rev, 500)
	if len(c) != 1 || c[0]["nip"] != NIP(1) || c[0]["deleted"] != true {
		t.Errorf("DINKES kiosk after A moved away: %v", c)
	}
	c, _ = pull(t, e, both.Token, rev, 500)
	if len(c) != 1 || c[0]["deleted"] != false {
		t.Errorf("DINKES+DINSOS kiosk after A moved: %v", c)
	}
}

func testEnrollment(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1", "DINKES")
	rng := Seed(3)
	base := Descriptor(rng)
	tpls := []server.Template{{ID: NewULID(), Descriptor: Near(rng, base, 0.05)}, {ID: NewULID(), Descriptor: Near(rng, base, 0.05)}}
	body := map[string]any{
		"employee":  map[string]any{"nip": NIP(1), "name": "Siti Aminah", "unit": "DINKES", "status": "active"},
		"templates": []any{WireTemplate(tpls[0]), WireTemplate(tpls[1])},
	}
	r := e.Do("POST", "/api/v1/enrollments", d.Token, body)
	e.Want(r, 200, "")
	checkStamp(t, r)
	rev := int64(r.Num("revision"))
	if rev < 1 {
		t.Fatalf("revision %v", r.JSON["revision"])
	}
	emp, got, err := e.Store.Employee(context.Background(), NIP(1))
	if err != nil || emp.Name != "Siti Aminah" || len(got) != 2 {
		t.Fatalf("enrolled employee %+v %d templates %v", emp, len(got), err)
	}
	// Re-enrolling the same person under the same NIP is fine (replace).
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, body), 200, "")
	// The same face under another NIP: 409 with the conflict, nothing stored.
	dup := map[string]any{
		"employee":  map[string]any{"nip": NIP(2), "name": "Orang Lain", "unit": "DINKES", "status": "active"},
		"templates": []any{WireTemplate(Templates(rng, 1)[0]), WireTemplate(server.Template{ID: NewULID(), Descriptor: Near(rng, base, 0.2)})},
	}
	r = e.Do("POST", "/api/v1/enrollments", d.Token, dup)
	e.Want(r, 409, "duplicate_face")
	checkStamp(t, r)
	if r.Str("conflict_nip") != NIP(1) || r.Str("conflict_name") != "Siti Aminah" || r.Num("distance") <= 0 || r.Num("distance") >= 0.42 {
		t.Errorf("duplicate response %s", r.Raw)
	}
	if _, _, err := e.Store.Employee(context.Background(), NIP(2)); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("duplicate enrollment stored something: %v", err)
	}
	cur, _ := pull(t, e, d.Token, 0, 500)
	if len(cur) != 1 {
		t.Errorf("roster after refused duplicate has %d changes, want 1", len(cur))
	}
	// A face 0.5 away is another person.
	other := map[string]any{
		"employee":  map[string]any{"nip": NIP(3), "name": "Budi", "unit": "DINKES"},
		"templates": []any{WireTemplate(server.Template{ID: NewULID(), Descriptor: Near(rng, base, 0.5)})},
	}
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, other), 200, "")
	// A kiosk of DINKES cannot enrol into another unit.
	other["employee"] = map[string]any{"nip": NIP(4), "name": "X", "unit": "DINSOS"}
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, other), 403, "forbidden")
	// A second server process sees the first one's enrollments for the
	// duplicate check (the face index follows the database).
	e2 := e.Another()
	r = e2.Do("POST", "/api/v1/enrollments", d.Token, dup)
	e2.Want(r, 409, "duplicate_face")
}

func testEnrollmentBad(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1")
	rng := Seed(4)
	good := WireTemplate(Templates(rng, 1)[0])
	emp := map[string]any{"nip": NIP(1), "name": "A", "unit": "DINKES"}
	short := WireTemplate(Templates(rng, 1)[0])
	short["descriptor"] = "AAAA"
	notB64 := WireTemplate(Templates(rng, 1)[0])
	notB64["descriptor"] = "!!!"
	var nan [server.DescriptorLen]float32
	nanT := WireTemplate(server.Template{ID: NewULID()})
	nanB := le(nan)
	nanB[0], nanB[1], nanB[2], nanB[3] = 0, 0, 0xc0, 0x7f // NaN
	nanT["descriptor"] = b64(nanB)
	many := make([]any, 21)
	for i := range many {
		many[i] = WireTemplate(Templates(rng, 1)[0])
	}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"bad nip", map[string]any{"employee": map[string]any{"nip": "123", "name": "A", "unit": "U"}, "templates": []any{good}}},
		{"no name", map[string]any{"employee": map[string]any{"nip": NIP(1), "unit": "U"}, "templates": []any{good}}},
		{"bad status", map[string]any{"employee": map[string]any{"nip": NIP(1), "name": "A", "unit": "U", "status": "retired"}, "templates": []any{good}}},
		{"no templates", map[string]any{"employee": emp, "templates": []any{}}},
		{"21 templates", map[string]any{"employee": emp, "templates": many}},
		{"short descriptor", map[string]any{"employee": emp, "templates": []any{short}}},
		{"not base64", map[string]any{"employee": emp, "templates": []any{notB64}}},
		{"NaN descriptor", map[string]any{"employee": emp, "templates": []any{nanT}}},
		{"malformed json", `{"employee":`},
		{"wrong types", `{"employee":"x","templates":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/enrollments", d.Token, tc.body)
			e.Want(r, 400, "bad_request")
			if r.Str("message") == "" {
				t.Error("no message")
			}
		})
	}
	if emps, _ := e.Store.Employees(context.Background(), ""); len(emps) != 0 {
		t.Errorf("bad enrollments stored %d employees", len(emps))
	}
}
