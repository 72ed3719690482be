package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// restore puts a backup file in place as a new data directory, the way
// doc.go tells an operator to.
func restore(t *testing.T, backup string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(dbPath(dir), readFile(t, backup), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBackupWhileRecording(t *testing.T) {
	s, c, _ := openTest(t)
	ctx := WithActor(context.Background(), "admin")
	nip := validNIP(5)
	mustEmployee(t, s, nip, "Rina")
	if _, err := s.AddTemplates(ctx, nip, []Template{{Descriptor: descriptor(0.9)}}); err != nil {
		t.Fatal(err)
	}
	var before []string
	for i := 0; i < 50; i++ {
		e, err := s.RecordEvent(ctx, sampleEvent(i, c.Now()), fakeJPEG(4000))
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, e.ID)
	}
	// A writer keeps recording during the backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var werr error
	started := make(chan struct{})
	go func() {
		defer wg.Done()
		for i := 100; ; i++ {
			if i == 101 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.RecordEvent(ctx, sampleEvent(i, c.Now()), nil); err != nil {
				werr = err
				if i == 100 {
					close(started)
				}
				return
			}
		}
	}()
	<-started // the writer has committed at least once
	out := filepath.Join(t.TempDir(), "backup.db")
	n, err := s.BackupFile(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil || n == 0 || werr != nil {
		t.Fatalf("BackupFile = %d, %v; writer: %v", n, err, werr)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %o, want 600", fi.Mode().Perm())
	}
	if _, err := s.BackupFile(ctx, out); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("backup over an existing file: %v", err)
	}
	if log, _ := s.AuditLog(ctx, 0, 1000); countAction(log, ActionExport) != 1 {
		t.Fatal("backup not audited as an export")
	}

	r, err := Open(restore(t, out), testOptions(c))
	if err != nil {
		t.Fatalf("open restored backup: %v", err)
	}
	defer r.Close()
	if _, err := r.VerifyLedger(ctx); err != nil {
		t.Fatalf("restored ledger: %v", err)
	}
	for _, id := range before {
		e, err := r.Event(ctx, id)
		if err != nil {
			t.Fatalf("event %s missing from backup: %v", id, err)
		}
		if _, err := r.Photo(ctx, e.PhotoID); err != nil {
			t.Fatalf("photo %s missing from backup: %v", id, err)
		}
	}
	if ts, err := r.Templates(ctx, nip); err != nil || len(ts) != 1 || ts[0].Descriptor != descriptor(0.9) {
		t.Fatalf("templates in backup: %v %v", ts, err)
	}
}

func TestBackupDirWithoutAndWithRunningKiosk(t *testing.T) {
	dir, c := populated(t)
	ctx := context.Background()
	out1 := filepath.Join(t.TempDir(), "idle.db")
	if _, err := BackupDir(ctx, dir, out1, time.Second); err != nil {
		t.Fatalf("BackupDir of an idle store: %v", err)
	}
	if err := openAndRead(restore(t, out1), c); err != nil {
		t.Fatalf("idle backup: %v", err)
	}

	ch := startChild(t, "hold", dir) // keeps committing events
	if !ch.out.Scan() || ch.out.Text() != "ready" {
		t.Fatalf("child did not open the store: %v", ch.out.Err())
	}
	out2 := filepath.Join(t.TempDir(), "live.db")
	if _, err := BackupDir(ctx, dir, out2, 100*time.Millisecond); err != nil {
		t.Fatalf("BackupDir while the kiosk runs: %v", err)
	}
	rep, err := VerifyLedgerDir(ctx, dir, 100*time.Millisecond)
	if err != nil || rep.Entries < 60 {
		t.Fatalf("VerifyLedgerDir while the kiosk runs: %+v %v", rep, err)
	}
	ch.stdin.Close()
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	if err := openAndRead(restore(t, out2), c); err != nil {
		t.Fatalf("live backup: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out2)); len(entries) != 1 {
		t.Fatalf("temporary files left beside the backup: %v", entries)
	}
}
