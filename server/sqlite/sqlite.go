// Package sqlite is the embedded store of hadir-server: one SQLite file in
// WAL mode, the default so that `hadir-server` with no flags just runs. It
// supplies the driver (github.com/mattn/go-sqlite3) and the dialect to the
// shared SQL implementation; server/storetest checks it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/hadir-id/hadir/server"
	"github.com/hadir-id/hadir/server/internal/sqldb"
)

// dialect: SQLite write transactions take the database lock at BEGIN
// (_txlock=immediate), so no row locks are needed.
var dialect = sqldb.Dialect{
	Name:        "sqlite",
	Types:       map[string]string{"BLOB": "BLOB", "DOUBLE": "REAL", "AUTOID": "INTEGER PRIMARY KEY AUTOINCREMENT"},
	IsUnique:    isUnique,
	InsertChunk: 250,
	// One writer: batches waiting for it commit together (sqldb.committer).
	GroupCommit: true,
	// The largest rowid: one B-tree descent. Event rows are not deleted
	// (retention may make it an over-estimate, which a gauge tolerates).
	EstimateEvents: `SELECT COALESCE(MAX(rowid), 0) FROM events`,
}

// driverName is go-sqlite3 with the connection settings no DSN parameter
// has (connect sets them on every new connection).
const driverName = "sqlite3_hadir"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: connect})
}

// walCheckpointPages is how large the WAL grows (in 4 KiB pages, 40 MiB)
// before a commit copies it back into the database. SQLite's default of
// 1,000 made every ingested batch of 500 events pay a checkpoint of the
// index pages it touched; between larger checkpoints the same hot index
// pages are written back once, not once per batch (BenchmarkRecap's
// Ingest75).
const walCheckpointPages = 10_000

func connect(c *sqlite3.SQLiteConn) error {
	_, err := c.Exec("PRAGMA wal_autocheckpoint = "+strconv.Itoa(walCheckpointPages), nil)
	return err
}

func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// writerCacheKiB is the writer connection's page cache.
//
// Measured with BenchmarkRecap's Ingest75 (a month loaded, 75 kiosks, a
// loaded machine): 2 MiB 129 us of CPU per event, peak 255 MiB;
// 16 MiB 95 us, 279 MiB; 64 MiB 109 us, 342 MiB (peaks include the
// kiosks' 56 MiB of prepared batches in the same process).
const writerCacheKiB = 16 << 10

// Open opens (creating if needed) the SQLite database at path and applies
// migrations. Writes go through one connection (SQLite has one writer);
// reads use a small pool that WAL lets run beside the writer. cipher may
// be nil for maintenance commands.
func Open(ctx context.Context, path string, cipher *server.Cipher) (*sqldb.DB, error) {
	path = strings.TrimPrefix(path, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_busy_timeout", "10000")
	params.Set("_foreign_keys", "on")
	// FULL: a batch the server answered "accepted" must survive a power
	// cut, since the kiosk then drops it from its outbox for good (WAL
	// with NORMAL may roll back the last commits after an OS crash).
	params.Set("_synchronous", "FULL")
	dsn := "file:" + path + "?"
	// The one writer keeps 16 MiB of pages (SQLite's default is 2 MiB):
	// every ingested event updates an index in NIP order, and with a year
	// in the file (2 GB) a small cache rereads its inner pages on every
	// batch. Readers keep the default; the OS caches the file.
	w, err := sql.Open(driverName, dsn+params.Encode()+"&_txlock=immediate&_cache_size=-"+strconv.Itoa(writerCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open(driverName, dsn+params.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	db, err := sqldb.New(ctx, w, r, dialect, cipher)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates the database file readable by its owner only
// before SQLite opens it: it holds attendance and password hashes, and
// SQLite gives the -wal and -shm files the mode of the database file.
func createPrivate(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil // URI or in-memory names: the caller chose
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create sqlite database %s: %w", path, err)
	}
	return f.Close()
}
