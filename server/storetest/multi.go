package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hadir-id/hadir/server"
)

var _ = register("MultiProcess", testMultiProcess)
var _ = register("KeyCheck", testKeyCheck)

// testMultiProcess runs two servers on one database and sends them the
// same work at the same time: every event is stored once, revisions stay
// unique and ordered, and one face cannot be enrolled under two NIPs.
func testMultiProcess(t *testing.T, b Backend) {
	e1 := Start(t, b)
	e2 := e1.Another()
	d := e1.Register("K1")
	now := e1.Clock.Now()
	var batches [][]map[string]any
	for range 8 {
		var evs []map[string]any
		for range 100 {
			evs = append(evs, d.chain.Next("in", NIP(1), now))
		}
		batches = append(batches, evs)
	}
	accepted := make([]int, 2)
	var wg sync.WaitGroup
	for i, e := range []*Env{e1, e2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, evs := range batches {
				r := e.Do("POST", "/api/v1/events", d.Token, Batch(evs...))
				if r.Status != 200 {
					t.Errorf("server %d: %d %s", i, r.Status, truncate(r.Raw))
					return
				}
				for _, x := range r.JSON["results"].([]any) {
					if x.(map[string]any)["status"] == "accepted" {
						accepted[i]++
					}
				}
			}
		}()
	}
	wg.Wait()
	if accepted[0]+accepted[1] != 800 {
		t.Errorf("accepted %d + %d, want 800 in total", accepted[0], accepted[1])
	}
	if n := countEvents(t, e1); n != 800 {
		t.Errorf("%d events stored, want 800", n)
	}

	// Concurrent roster writes through both servers.
	rng := Seed(10)
	var mu sync.Mutex
	var revs []int64
	for i, e := range []*Env{e1, e2} {
		tpls := make([][]server.Template, 10)
		for j := range tpls {
			tpls[j] = Templates(rng, 1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				rev, err := e.Store.PutEmployee(context.Background(), server.Employee{NIP: NIP(100 + i*10 + j), Name: "P", Unit: "U", Status: "active"},
					tpls[j], server.PutOptions{Threshold: server.DuplicateThreshold})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				revs = append(revs, rev)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, r := range revs {
		if seen[r] {
			t.Errorf("revision %d given twice", r)
		}
		seen[r] = true
	}
	changes, _ := pull(t, e2, d.Token, 0, 7)
	if len(changes) != 20 {
		t.Errorf("roster has %d changes, want 20", len(changes))
	}

	// The same new face under two NIPs at once, one per server.
	face := Templates(rng, 1)[0]
	twins := [][server.DescriptorLen]float32{Near(rng, face.Descriptor, 0.01), Near(rng, face.Descriptor, 0.01)}
	errs := make([]error, 2)
	for i, e := range []*Env{e1, e2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Store.PutEmployee(context.Background(), server.Employee{NIP: NIP(200 + i), Name: "Twin", Unit: "U", Status: "active"},
				[]server.Template{{ID: NewULID(), Descriptor: twins[i]}}, server.PutOptions{Threshold: server.DuplicateThreshold})
		}()
	}
	wg.Wait()
	dups := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, server.ErrDuplicateFace):
			dups++
		case err != nil:
			t.Errorf("concurrent enrollment: %v", err)
		}
	}
	if dups != 1 {
		t.Errorf("same face enrolled concurrently under two NIPs: %d refused, want exactly 1 (%v)", dups, errs)
	}
}

func testKeyCheck(t *testing.T, b Backend) {
	e := Start(t, b)
	put(t, e, NIP(1), "A", "U", Templates(Seed(11), 2))
	ctx := context.Background()
	other := NewKey(t)
	if err := e.Store.CheckKey(ctx, other.Fingerprint()); !errors.Is(err, server.ErrWrongKey) {
		t.Fatalf("another key: %v, want ErrWrongKey", err)
	}
	if err := e.Store.CheckKey(ctx, e.Key.Fingerprint()); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	// Opened with another key, templates do not decrypt.
	st, err := b.Open(ctx, e.DSN, other.Cipher())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Employee(ctx, NIP(1)); err == nil {
		t.Error("templates decrypted with another key")
	}
	// Opened without a key (maintenance commands), sync data still works.
	nk, err := b.Open(ctx, e.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nk.Close()
	if _, err := nk.PutEmployee(ctx, server.Employee{NIP: NIP(2)}, nil, server.PutOptions{}); !errors.Is(err, server.ErrNoKey) {
		t.Errorf("put without key: %v, want ErrNoKey", err)
	}
	if _, err := nk.DeleteEmployee(ctx, NIP(1)); err != nil {
		t.Errorf("delete without key: %v", err)
	}
	if err := nk.RevokeDevice(ctx, "none", time.Now()); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
}
