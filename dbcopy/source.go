package dbcopy

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// source is the snapshot of the SQLite database a copy reads.
type source struct {
	db      *sql.DB
	version int64
	// columns lists each table's columns.
	columns map[string][]string
}

// openSnapshot snapshots the database at path into a new directory under
// tempDir with sqlite.Backup, migrates the snapshot when its schema is
// older than this build's, and opens it. cleanup closes it and removes the
// directory.
func openSnapshot(ctx context.Context, path, tempDir string) (src *source, cleanup func(), err error) {
	dir, err := os.MkdirTemp(tempDir, "glpinetd-db-copy-")
	if err != nil {
		return nil, nil, fmt.Errorf("a directory for the snapshot: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	snapPath := filepath.Join(dir, "snapshot.db")
	snap, err := sqlite.Backup(ctx, path, snapPath)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	if snap.Integrity != "ok" {
		return nil, nil, fmt.Errorf("%s fails integrity_check: %s", path, snap.Integrity)
	}
	switch latest := sqlite.SchemaVersion(); {
	case snap.SchemaVersion > latest:
		return nil, nil, glpinet.Errorf(glpinet.EINVALID, "%s has schema version %d, newer than this glpinetd knows (%d): copy it with the glpinetd that wrote it", path, snap.SchemaVersion, latest)
	case snap.SchemaVersion < latest:
		// The snapshot is ours to change; the source stays as it is.
		if _, err := sqlite.Migrate(ctx, snapPath); err != nil {
			return nil, nil, fmt.Errorf("migrate the snapshot of %s: %w", path, err)
		}
	}

	q := url.Values{}
	// Nothing writes the snapshot: query_only says so, and catches a bug
	// that would.
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+snapPath+"?"+q.Encode())
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(2)
	src = &source{db: db, version: sqlite.SchemaVersion(), columns: map[string][]string{}}
	removeDir := cleanup
	cleanup = func() {
		db.Close()
		removeDir()
	}
	if err := src.readSchema(ctx); err != nil {
		return nil, nil, err
	}
	return src, cleanup, nil
}

// readSchema lists the snapshot's tables and their columns.
func (s *source) readSchema(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> ? ORDER BY m.name, p.cid`, goose.DefaultTablename)
	if err != nil {
		return fmt.Errorf("read the snapshot's schema: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return err
		}
		s.columns[table] = append(s.columns[table], column)
	}
	return rows.Err()
}

// aggregate computes t's aggregates in the snapshot.
func (s *source) aggregate(ctx context.Context, t *table) ([]int64, error) {
	exprs := make([]string, len(t.aggregates))
	for i, a := range t.aggregates {
		exprs[i] = a.sqlite
	}
	return scanInts(s.db.QueryRowContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+quote(t.name)), len(exprs))
}

// rows reads t's columns, in the target's order.
func (s *source) rows(ctx context.Context, t *table) (*sql.Rows, error) {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quote(c.name)
	}
	return s.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quote(t.name))
}

func scanInts(row interface{ Scan(...any) error }, n int) ([]int64, error) {
	vals := make([]int64, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, row.Scan(ptrs...)
}

// quote quotes an identifier, for SQLite and PostgreSQL alike.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
