package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Backup writes a consistent copy of the open store to w with bbolt's
// Tx.WriteTo inside one read transaction: the kiosk keeps recording
// meanwhile and the copy is the state at the transaction's start. The
// copy stays encrypted; it is useless without the key file, which must be
// backed up separately (and kept apart). Audited as an export.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		return s.appendAudit(tx, Audit{Actor: Actor(ctx), Action: ActionExport, Detail: fmt.Sprintf("backup, %d bytes", n)})
	})
	return n, err
}

// BackupFile writes Backup to path atomically (temporary file, fsync,
// rename). It refuses to overwrite an existing file.
func (s *Store) BackupFile(ctx context.Context, path string) (int64, error) {
	var n int64
	err := writeAtomic(path, func(f *os.File) error {
		var err error
		n, err = s.Backup(ctx, f)
		return err
	})
	return n, err
}

// BackupDir copies the store in dir to out without the key and without
// disturbing a running kiosk. If no process holds the store, it takes a
// shared lock and uses Tx.WriteTo. If the kiosk holds it (bbolt's
// exclusive lock excludes every other opener), it copies the file while
// watching bbolt's two meta pages: a commit always rewrites a meta page
// last and never overwrites pages of the tree the current meta names, so
// a copy during which neither meta page changed is consistent; otherwise
// it retries. Either way the result is checked page by page (Tx.Check)
// before it is renamed to out. It refuses to overwrite out.
func BackupDir(ctx context.Context, dir, out string, timeout time.Duration) (int64, error) {
	var n int64
	err := writeAtomic(out, func(f *os.File) error {
		return withSnapshot(ctx, dir, filepath.Dir(out), timeout, func(tx *bolt.Tx) error {
			var err error
			n, err = tx.WriteTo(f)
			return err
		})
	})
	if err != nil {
		return n, err
	}
	return n, checkFile(out)
}

// VerifyLedgerDir verifies the ledger of the store in dir (no key
// needed) whether or not the kiosk is running; see BackupDir for how a
// running kiosk's file is read.
func VerifyLedgerDir(ctx context.Context, dir string, timeout time.Duration) (LedgerReport, error) {
	var rep LedgerReport
	err := withSnapshot(ctx, dir, "", timeout, func(tx *bolt.Tx) error {
		var err error
		rep, err = verifyLedgerTx(ctx, tx)
		return err
	})
	return rep, err
}

// withSnapshot runs fn in a read transaction on the store in dir, or on
// a consistent copy of it (in tmpDir) when another process holds it.
func withSnapshot(ctx context.Context, dir, tmpDir string, timeout time.Duration, fn func(*bolt.Tx) error) (err error) {
	path := filepath.Join(dir, DBFile)
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if err := checkMetaSize(path, fi.Size()); err != nil {
		return err
	}
	if timeout <= 0 {
		timeout = time.Second
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(path, &err)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		snap, serr := snapshot(ctx, path, tmpDir)
		if serr != nil {
			return serr
		}
		defer os.Remove(snap)
		db, err = bolt.Open(snap, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	}
	if err != nil {
		return openError(path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		if fi, err := os.Stat(db.Path()); err == nil && tx.Size() > fi.Size() {
			return fmt.Errorf("%w: %s is truncated: %d bytes, its pages need %d", ErrCorrupt, path, fi.Size(), tx.Size())
		}
		return fn(tx)
	})
}

// snapshot copies a live bbolt file to a temporary file, retrying until
// a copy completes with both meta pages unchanged from before it began.
func snapshot(ctx context.Context, path, tmpDir string) (string, error) {
	const attempts = 20
	for i := 0; i < attempts; i++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		before, err := metaPages(path)
		if err != nil {
			return "", err
		}
		tmp, err := copyToTemp(path, tmpDir)
		if err != nil {
			return "", err
		}
		after, err := metaPages(path)
		if err != nil {
			os.Remove(tmp)
			return "", err
		}
		if bytes.Equal(before, after) {
			return tmp, nil
		}
		os.Remove(tmp)
	}
	return "", fmt.Errorf("copy %s: the store changed during each of %d attempts; retry when the kiosk is idle", path, attempts)
}

// metaPages returns the header bytes of bbolt's two meta pages.
func metaPages(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 256)
	if _, err := f.ReadAt(buf[:128], 0); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	pageSize := int64(4096)
	if ps := int64(uint32(buf[24]) | uint32(buf[25])<<8 | uint32(buf[26])<<16 | uint32(buf[27])<<24); ps >= 512 && ps <= 1<<20 {
		pageSize = ps
	}
	if _, err := f.ReadAt(buf[128:], pageSize); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf, nil
}

func copyToTemp(path, tmpDir string) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp(tmpDir, "hadir-snapshot-*.tmp")
	if err != nil {
		return "", fmt.Errorf("snapshot of %s: %w", path, err)
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst.Name())
		return "", fmt.Errorf("snapshot of %s: %w", path, err)
	}
	return dst.Name(), nil
}

// writeAtomic creates path via a temporary file in the same directory,
// fsyncs it and renames it into place; on failure nothing is left.
func writeAtomic(path string, fill func(*os.File) error) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s already exists; choose a new name", fs.ErrExist, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".hadir-backup-*.tmp")
	if err != nil {
		return fmt.Errorf("create backup %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil { // fails if path appeared meanwhile
		return fmt.Errorf("create backup %s: %w", path, err)
	}
	os.Remove(tmp)
	ok = true
	return syncDir(filepath.Dir(path))
}

// checkFile runs bbolt's consistency check over a whole file.
func checkFile(path string) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(path, &err)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return openError(path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var first error
		for cerr := range tx.Check() { // drain: Check's goroutine must finish before the tx ends
			if first == nil {
				first = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, cerr)
			}
		}
		return first
	})
}
