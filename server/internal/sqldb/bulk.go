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
