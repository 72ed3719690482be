package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// BulkInsert loads rows into table with multi-row INSERTs in one
// transaction, bypassing every rule of the store: for filling benchmark
// databases at regency size, never for requests. table and cols come from
// code, never from input.
func (db *DB) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, min(500, 30000/len(cols))) // under both databases' parameter limits
	row := "(" + placeholders(len(cols)) + ")"
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `
	return db.tx(ctx, func(tx *sql.Tx) error {
		args := make([]any, 0, per*len(cols))
		for start := 0; start < len(rows); start += per {
			part := rows[start:min(start+per, len(rows))]
			args = args[:0]
			var sb strings.Builder
			sb.WriteString(head)
			for i, r := range part {
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(row)
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, db.q(sb.String()), args...); err != nil {
				return fmt.Errorf("bulk insert into %s: %w", table, err)
			}
		}
		return nil
	})
}

// Analyze refreshes the planner's statistics after a bulk load, as the
// database's own maintenance would: on PostgreSQL a VACUUM ANALYZE, which
// also sets the visibility map that index-only scans need (autovacuum
// does the same on a live server).
func (db *DB) Analyze(ctx context.Context) error {
	stmt := `ANALYZE`
	if db.d.Dollar {
		stmt = `VACUUM ANALYZE`
	}
	if _, err := db.w.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("analyze %s: %w", db.d.Name, err)
	}
	return nil
}

// DeferIndexes drops table's secondary indexes so that a bulk load does
// not update each one row by row, and returns the function that builds
// them again (one sort each, several times faster for millions of rows).
// Like BulkInsert it is for filling benchmark databases only.
func (db *DB) DeferIndexes(ctx context.Context, table string) (rebuild func(context.Context) error, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`
	if db.d.Dollar {
		q = `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename = $1
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
	}
	rows, err := db.w.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("list indexes of %s: %w", table, err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list indexes of %s: %w", table, err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list indexes of %s: %w", table, err)
	}
	for _, n := range names {
		if _, err := db.w.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return func(ctx context.Context) error {
		for i, def := range defs {
			if _, err := db.w.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("rebuild index %s: %w", names[i], err)
			}
		}
		return nil
	}, nil
}
