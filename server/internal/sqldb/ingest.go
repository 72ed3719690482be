package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/server"
)

// ErrClosed is returned for work handed to a store after Close.
var ErrClosed = errors.New("sqldb: store closed")

// Group-commit bounds: one transaction takes at most this many kiosk
// batches, and stops taking more once it holds this many events, so a
// commit (and the WAL it writes) stays the size of a few batches.
const (
	groupMaxBatches = 16
	groupMaxEvents  = 4 * 500
)

// IngestEvents implements server.Store. On a dialect with GroupCommit
// (SQLite: one writer at a time anyway) the batch joins the batches that
// arrived while the previous transaction ran and they commit together;
// elsewhere it runs in its own transaction.
func (db *DB) IngestEvents(ctx context.Context, deviceID string, events []server.Event, now time.Time) (server.IngestResult, error) {
	if db.ingestQ == nil {
		full, err := db.writeStmt(ctx, db.insertFull)
		if err != nil {
			return server.IngestResult{}, err
		}
		var res server.IngestResult
		err = db.tx(ctx, func(tx *sql.Tx) error {
			res, err = db.ingestOne(ctx, tx, full, deviceID, events, now)
			return err
		})
		if err != nil {
			return server.IngestResult{}, err
		}
		return res, nil
	}
	req := &ingestReq{ctx: ctx, device: deviceID, events: events, now: now, done: make(chan struct{})}
	select {
	case db.ingestQ <- req:
	case <-ctx.Done():
		return server.IngestResult{}, fmt.Errorf("ingest batch of %q: %w", deviceID, ctx.Err())
	case <-db.quit:
		return server.IngestResult{}, ErrClosed
	}
	// Once taken, the batch is the committer's: it will be answered.
	<-req.done
	return req.res, req.err
}

// ingestReq is one kiosk batch waiting for the committer.
type ingestReq struct {
	ctx    context.Context
	device string
	events []server.Event
	now    time.Time

	res  server.IngestResult
	err  error
	done chan struct{} // closed once res and err are final
}

// committer is the goroutine (started by New, stopped by Close) that
// writes ingested batches: it takes one, then every batch already
// waiting, and commits them in one transaction. Each batch runs under
// its own savepoint, so a failing batch is rolled back and answered
// alone while the others commit.
//
// Why: on SQLite every commit writes each page it dirtied to the WAL
// and syncs it. Batches from kiosks of one office touch the same pages
// of the events' NIP index, so several batches per commit write those
// pages once. BenchmarkRecap's Ingest75 with a year loaded: see
// README's recap table.
func (db *DB) committer() {
	defer close(db.stopped)
	for {
		var first *ingestReq
		select {
		case first = <-db.ingestQ:
		case <-db.quit:
			return
		}
		group := []*ingestReq{first}
		n := len(first.events)
	take:
		for len(group) < groupMaxBatches && n < groupMaxEvents {
			select {
			case r := <-db.ingestQ:
				group = append(group, r)
				n += len(r.events)
			default:
				break take
			}
		}
		db.commitGroup(group)
	}
}

// commitGroup runs group in one transaction and answers every batch.
func (db *DB) commitGroup(group []*ingestReq) {
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	// The transaction outlives any one request: a caller giving up must
	// not roll back the others' batches (on SQLite an interrupted
	// statement aborts the whole transaction), so nothing inside it is
	// cancelled; a caller that gave up before its turn is skipped.
	ctx := context.Background()
	full, err := db.writeStmt(ctx, db.insertFull)
	if err != nil {
		for _, r := range group {
			r.err = err
		}
		return
	}
	err = db.txRecover(ctx, func(tx *sql.Tx) error {
		for _, r := range group {
			if err := r.ctx.Err(); err != nil {
				r.err = fmt.Errorf("ingest batch of %q: %w", r.device, err)
				continue
			}
			var err error
			r.err, err = db.inSavepoint(ctx, tx, func() error {
				r.res, err = db.ingestOne(ctx, tx, full, r.device, r.events, r.now)
				return err
			})
			if err != nil {
				return err // the savepoint failed: the transaction is unusable
			}
		}
		return nil
	})
	for _, r := range group {
		if err != nil && r.err == nil {
			r.err = err
		}
		if r.err != nil {
			r.res = server.IngestResult{}
		}
	}
}

// txRecover is db.tx that turns a panic into an error: the committer
// runs outside any HTTP handler, so a panic there would otherwise end the
// server rather than fail the requests of one group.
func (db *DB) txRecover(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("ingest group: panic: %v", p)
		}
	}()
	return db.tx(ctx, fn)
}

// inSavepoint runs fn under a savepoint of tx and returns fn's error,
// having rolled back to the savepoint when fn failed. err is the
// savepoint's own failure, after which tx must not commit.
func (db *DB) inSavepoint(ctx context.Context, tx *sql.Tx, fn func() error) (fnErr, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT ingest_batch`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	if fnErr = fn(); fnErr != nil {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ingest_batch`); err != nil {
			return fnErr, fmt.Errorf("roll back to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT ingest_batch`); err != nil {
		return fnErr, fmt.Errorf("release savepoint: %w", err)
	}
	return fnErr, nil
}
