// Package sqldb implements server.Store over database/sql for both SQLite
// and PostgreSQL. The two differ only in what Dialect describes (column
// types, placeholders, row locks, migration lock); every query is shared,
// so the one conformance suite in server/storetest covers both. The
// packages server/sqlite and server/postgres supply the drivers.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hadir-id/hadir/recognition"
	"github.com/hadir-id/hadir/server"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Name is "sqlite" or "postgres" (errors, metrics).
	Name string
	// Types replaces {{NAME}} in the schema: BLOB, DOUBLE, AUTOID.
	Types map[string]string
	// Dollar: placeholders are $1, $2... instead of ?.
	Dollar bool
	// ForUpdate is appended to SELECTs that must lock rows (" FOR UPDATE"
	// on PostgreSQL; SQLite's write transactions lock the whole database).
	ForUpdate string
	// LockMigrations serialises concurrent starts (PostgreSQL advisory
	// lock); nil when the transaction itself is exclusive.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// IsUnique reports a unique-constraint violation.
	IsUnique func(err error) bool
	// InsertChunk is the number of rows per multi-row INSERT.
	InsertChunk int
	// GroupCommit: ingested batches waiting for the writer commit
	// together (see committer). For a database with one writer.
	GroupCommit bool
	// EstimateEvents is a query for about how many events are stored,
	// in time independent of their number (/metrics runs it per scrape).
	EstimateEvents string
}

// DB is a server.Store on a SQL database.
type DB struct {
	w, r   *sql.DB // writes (one connection on SQLite), reads
	d      Dialect
	cipher *server.Cipher

	rebound sync.Map // query -> dialect query
	stmts   sync.Map // query -> *sql.Stmt prepared on w (see writeStmt)
	// insertFull inserts a full chunk of events (d.InsertChunk rows).
	insertFull string

	// The group committer (GroupCommit dialects only; nil ingestQ
	// otherwise): batches wait on ingestQ until quit.
	ingestQ   chan *ingestReq
	quit      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once

	galMu  sync.Mutex
	gal    *recognition.Gallery
	galRev int64 // gal holds every change with rev <= galRev
}

var _ server.Store = (*DB)(nil)

// New wraps opened pools (w for writes, r for reads; they may be the same),
// applies migrations and returns the store. cipher may be nil for
// maintenance commands that never touch templates or photos.
func New(ctx context.Context, w, r *sql.DB, d Dialect, cipher *server.Cipher) (*DB, error) {
	db := &DB{w: w, r: r, d: d, cipher: cipher, gal: recognition.NewGallery(), galRev: -1}
	db.insertFull = db.q(insertSQL(db.insertChunk()))
	if err := db.migrate(ctx); err != nil {
		return nil, err
	}
	db.quit = make(chan struct{})
	if d.GroupCommit {
		db.ingestQ, db.stopped = make(chan *ingestReq), make(chan struct{})
		go db.committer()
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.quit)
		if db.stopped != nil {
			<-db.stopped
		}
	})
	var err error
	db.stmts.Range(func(_, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		return true
	})
	err = errors.Join(err, db.w.Close())
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.d.Name, err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.d.Name, err)
	}
	return nil
}

// q turns a query written with ? placeholders into the dialect's form.
func (db *DB) q(query string) string {
	if !db.d.Dollar {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(query[i])
	}
	s := sb.String()
	if len(query) < 4096 { // multi-row inserts vary: do not cache them all
		db.rebound.Store(query, s)
	}
	return s
}

// writeStmt returns query (in the dialect's form) prepared on the
// writer pool, once for the life of db rather than once per use: a
// 250-row insert of events has 7,750 parameters, and SQLite parsing it
// for every chunk cost 7% of the writer's time in BenchmarkRecap's
// Ingest75. Call it before db.tx (on SQLite the transaction holds the one
// writer connection) and use it through tx.StmtContext. Only statements
// whose text never varies belong here.
func (db *DB) writeStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := db.w.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %s statement: %w", db.d.Name, err)
	}
	if v, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// tx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin %s transaction: %w", db.d.Name, err)
	}
	// Rolled back on any way out but a commit, a panic in fn included:
	// the writer connection must not stay inside a transaction.
	defer func() { _ = tx.Rollback() }() // after Commit: sql.ErrTxDone, ignored
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %s transaction: %w", db.d.Name, err)
	}
	return nil
}

// placeholders returns "?,?,?" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// ns stores a time as Unix nanoseconds, the zero time as 0.
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNS is the inverse of ns, in UTC.
func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// b2i stores a bool as 0/1 (portable across both databases).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nextRev allocates the next roster revision. The UPDATE locks the row
// until the transaction ends, so revisions commit in order across
// processes: a client that has seen rev N never misses a change < N.
func (db *DB) nextRev(ctx context.Context, tx *sql.Tx) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, db.q(`UPDATE meta SET ival = ival + 1 WHERE key = 'rev' RETURNING ival`)).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("allocate roster revision: %w", err)
	}
	return rev, nil
}

// currentRev reads the latest committed roster revision.
func (db *DB) currentRev(ctx context.Context, q querier) (int64, error) {
	var rev int64
	if err := q.QueryRowContext(ctx, db.q(`SELECT ival FROM meta WHERE key = 'rev'`)).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read roster revision: %w", err)
	}
	return rev, nil
}

// querier is *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CheckKey implements server.Store.
func (db *DB) CheckKey(ctx context.Context, fp []byte) error {
	var stored []byte
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO meta (key, ival, bval) VALUES ('key_fp', 0, ?) ON CONFLICT (key) DO NOTHING`), fp); err != nil {
			return fmt.Errorf("store key fingerprint: %w", err)
		}
		return tx.QueryRowContext(ctx, db.q(`SELECT bval FROM meta WHERE key = 'key_fp'`)).Scan(&stored)
	})
	if err != nil {
		return err
	}
	if string(stored) != string(fp) {
		return fmt.Errorf("%w: the database was written with another key (HADIR_SERVER_KEY / --key-file)", server.ErrWrongKey)
	}
	return nil
}

// needKey fails when the store was opened without a key.
func (db *DB) needKey() error {
	if db.cipher == nil {
		return server.ErrNoKey
	}
	return nil
}
