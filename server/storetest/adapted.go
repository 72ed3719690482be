package storetest

import (
	"context"
	"testing"

	"github.com/hadir-id/hadir/server"
)

var _ = register("EnrollmentAdapted", testEnrollmentAdapted)

// testEnrollmentAdapted: templates a kiosk learnt at check-ins (template
// adaptation) are stored with their flag and sent back with the roster;
// more than the bound, adapted ones alone, or an adapted one far from
// every enrolled template are refused with 400, nothing stored.
func testEnrollmentAdapted(t *testing.T, b Backend) {
	e := Start(t, b)
	d := e.Register("K1", "DINKES")
	rng := Seed(17)
	base := Descriptor(rng)
	enrolled := WireTemplate(server.Template{ID: NewULID(), Descriptor: base})
	adapted := func(dist float64) map[string]any {
		w := WireTemplate(server.Template{ID: NewULID(), Descriptor: Near(rng, base, dist)})
		w["adapted"] = true
		return w
	}
	body := func(tpls ...any) map[string]any {
		return map[string]any{"employee": map[string]any{"nip": NIP(1), "name": "Siti Aminah", "unit": "DINKES", "status": "active"},
			"templates": tpls}
	}
	e.Want(e.Do("POST", "/api/v1/enrollments", d.Token, body(enrolled, adapted(0.2), adapted(0.3))), 200, "")
	_, got, err := e.Store.Employee(context.Background(), NIP(1))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tp := range got {
		if tp.Adapted {
			n++
		}
	}
	if len(got) != 3 || n != 2 {
		t.Fatalf("stored %d templates, %d adapted; want 3 and 2", len(got), n)
	}
	changes, _ := pull(t, e, d.Token, 0, 500)
	if len(changes) != 1 {
		t.Fatalf("roster has %d changes", len(changes))
	}
	wire := 0
	for _, tp := range changes[0]["templates"].([]any) {
		if tp.(map[string]any)["adapted"] == true {
			wire++
		}
	}
	if wire != 2 {
		t.Errorf("roster sends %d adapted templates, want 2", wire)
	}
	for name, bad := range map[string]map[string]any{
		"over the bound": body(enrolled, adapted(0.2), adapted(0.2), adapted(0.2), adapted(0.2)),
		"adapted only":   body(adapted(0.2)),
		"far adapted":    body(enrolled, adapted(0.9)),
	} {
		r := e.Do("POST", "/api/v1/enrollments", d.Token, bad)
		if r.Status != 400 {
			t.Errorf("%s: status %d, want 400: %s", name, r.Status, r.Raw)
		}
	}
	if _, got, _ := e.Store.Employee(context.Background(), NIP(1)); len(got) != 3 {
		t.Errorf("refused enrollments changed the templates: %d", len(got))
	}
}
