package sqldb_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/internal/sqldb"
	"github.com/hadir-id/hadir/server/sqlite"
)

// TestGroupCommitIsolatesBatches commits four kiosks' batches in one
// group where two fail, one before writing (an unknown device) and one
// after its events were inserted (a trigger refuses its chain update):
// the failing ones are answered with their own error and leave nothing,
// the others are stored whole.
func TestGroupCommitIsolatesBatches(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hadir.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 10, 5, 7, 30, 0, 0, time.UTC)
	for _, id := range []string{"K1", "K2", "K3"} {
		register(t, db, id, now)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_k2 BEFORE UPDATE ON devices WHEN NEW.id = 'K2'
		BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`); err != nil {
		t.Fatal(err)
	}

	res, errs := db.IngestGroup(ctx, now,
		sqldb.GroupBatch{Device: "K1", Events: chain("K1", 3, now)},
		sqldb.GroupBatch{Device: "nope", Events: chain("nope", 2, now)},
		sqldb.GroupBatch{Device: "K2", Events: chain("K2", 4, now)},
		sqldb.GroupBatch{Device: "K3", Events: chain("K3", 5, now)},
	)
	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("good batches failed: %v, %v", errs[0], errs[3])
	}
	if !errors.Is(errs[1], server.ErrNotFound) {
		t.Errorf("unknown device: got %v, want ErrNotFound", errs[1])
	}
	if errs[2] == nil {
		t.Errorf("refused batch: no error")
	}
	for i, want := range []bool{true, false, false, true} {
		if got := res[i].Chain.OK; got != want {
			t.Errorf("batch %d: chain OK %v, want %v", i, got, want)
		}
	}
	for dev, want := range map[string]int{"K1": 3, "nope": 0, "K2": 0, "K3": 5} {
		evs, err := db.Events(ctx, server.EventFilter{Device: dev, Scope: server.ScopeAll})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != want {
			t.Errorf("%s: %d events stored, want %d", dev, len(evs), want)
		}
	}
	devs, err := db.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if want := map[string]uint64{"K1": 3, "K2": 0, "K3": 5}[d.ID]; d.Chain.HeadSeq != want {
			t.Errorf("%s: chain head %d, want %d", d.ID, d.Chain.HeadSeq, want)
		}
	}
}

func register(t *testing.T, db *sqldb.DB, id string, now time.Time) {
	t.Helper()
	code := sha256.Sum256([]byte("code " + id))
	if err := db.CreateCode(context.Background(), code[:], nil, now.Add(time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	tok := sha256.Sum256([]byte("token " + id))
	if _, err := db.RegisterDevice(context.Background(), code[:], server.Device{ID: id, Name: id, TokenHash: tok[:]}, now); err != nil {
		t.Fatal(err)
	}
}

// chain is n chained check-ins of device, seq 1..n.
func chain(device string, n int, at time.Time) []server.Event {
	var out []server.Event
	var prev api.Hash
	for i := 1; i <= n; i++ {
		e := api.Event{ID: fmt.Sprintf("%s-%02d", device, i), Device: device, Seq: uint64(i), Kind: "in",
			NIP: fmt.Sprintf("19800101200001100%d", i), Time: at, RecordedAt: at, Zone: "Asia/Jakarta", PrevHash: prev}
		e.Hash = api.EventHash(&e)
		prev = e.Hash
		out = append(out, server.Event{Event: e})
	}
	return out
}
