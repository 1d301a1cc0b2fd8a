package dbcopy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// table is one table to copy: its columns as the target has them, and the
// aggregates that verify it.
type table struct {
	name    string
	columns []column
	// skip: not copied (see skipped).
	skip bool
	// aggregates[0] is always the row count.
	aggregates []aggregate
}

// column is a column of the target, with the conversion of the source's
// values to its type.
type column struct {
	name     string
	pgType   string
	identity bool
	convert  converter
}

// connect opens the one connection the copy's transaction uses.
func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	cfg.RuntimeParams["application_name"] = "glpinetd db copy"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, unavailable(err)
	}
	return conn, nil
}

// plan reads the target's tables and columns, checks that the source has
// the same ones, and returns the tables in foreign-key order (a table
// after those it refers to).
func plan(ctx context.Context, tx pgx.Tx, src *source) ([]*table, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> ''
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		  AND c.relname <> 'goose_db_version' AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("read the target's schema: %w", err)
	}
	byName := map[string]*table{}
	var names []string
	for rows.Next() {
		var tname string
		var c column
		if err := rows.Scan(&tname, &c.name, &c.pgType, &c.identity); err != nil {
			rows.Close()
			return nil, err
		}
		if archiveTables[tname] {
			continue // filled from the archive files (copyArchives)
		}
		t := byName[tname]
		if t == nil {
			t = &table{name: tname, skip: skipped[tname] != ""}
			byName[tname] = t
			names = append(names, tname)
		}
		t.columns = append(t.columns, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the target's schema: %w", err)
	}

	for _, name := range names {
		t := byName[name]
		if err := matchColumns(t, src.columns[name]); err != nil {
			return nil, err
		}
		for i := range t.columns {
			c := &t.columns[i]
			var ok bool
			if c.convert, ok = converters[c.pgType]; !ok {
				return nil, fmt.Errorf("%s.%s has the type %s, which db copy does not know how to fill: this glpinetd needs updating", name, c.name, c.pgType)
			}
		}
		t.aggregates = aggregates(t)
	}
	for name := range src.columns {
		if byName[name] == nil {
			return nil, glpinet.Errorf(glpinet.EINVALID, "The source has a table %s that the target does not: both must be at the same schema version (run this glpinetd's migrate up on the target)", name)
		}
	}
	return sortByForeignKeys(ctx, tx, byName, names)
}

// matchColumns checks that the source has exactly the target's columns,
// in any order.
func matchColumns(t *table, srcCols []string) error {
	if srcCols == nil {
		return glpinet.Errorf(glpinet.EINVALID, "The target has a table %s that the source does not: give db copy a database (or schema) of its own, at this glpinetd's schema version", t.name)
	}
	var dst []string
	for _, c := range t.columns {
		dst = append(dst, c.name)
	}
	a, b := slices.Sorted(slices.Values(dst)), slices.Sorted(slices.Values(srcCols))
	if !slices.Equal(a, b) {
		return glpinet.Errorf(glpinet.EINVALID, "The table %s has the columns %s in the source and %s in the target: the schemas differ", t.name, strings.Join(b, ", "), strings.Join(a, ", "))
	}
	return nil
}

// sortByForeignKeys orders the tables so that each comes after the tables
// its foreign keys refer to (ties by name, for a stable order).
// Self-references (registration_keys.replaced_by) need no order: PostgreSQL
// checks them at the end of each COPY statement.
func sortByForeignKeys(ctx context.Context, tx pgx.Tx, byName map[string]*table, names []string) ([]*table, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("read the target's foreign keys: %w", err)
	}
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*table
	done := map[string]bool{}
	for len(out) < len(names) {
		progressed := false
		for _, n := range names {
			if done[n] || slices.ContainsFunc(deps[n], func(d string) bool { return !done[d] && byName[d] != nil }) {
				continue
			}
			done[n] = true
			out = append(out, byName[n])
			progressed = true
		}
		if !progressed {
			return nil, fmt.Errorf("the target's foreign keys form a cycle")
		}
	}
	return out, nil
}

// prepareTarget locks every table against writers for the rest of the
// transaction, refuses a target holding data (transient tables aside), and
// empties offers (the defaults postgres.Open seeds: the source's replace
// them).
func prepareTarget(ctx context.Context, tx pgx.Tx, tables []*table) error {
	var names, probes []string
	for _, t := range tables {
		names = append(names, quote(t.name))
		if !replaced[t.name] && !transient[t.name] {
			probes = append(probes, fmt.Sprintf(`SELECT '%s' WHERE EXISTS (SELECT 1 FROM %s)`, t.name, quote(t.name)))
		}
	}
	// EXCLUSIVE lets readers in but no writer: a replica started against
	// the target too early cannot slip a row in between the check below
	// and the commit. Waiting for the lock is bounded.
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return unavailable(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
			return glpinet.Errorf(glpinet.EUNAVAILABLE, "Another session kept the target's tables locked for 10 seconds: stop whatever writes to the target (glpinetd replicas) and copy again")
		}
		return unavailable(err)
	}
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = 0`); err != nil {
		return unavailable(err)
	}
	rows, err := tx.Query(ctx, strings.Join(probes, " UNION ALL "))
	if err != nil {
		return err
	}
	full, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(full) > 0 {
		return glpinet.Errorf(glpinet.EINVALID, "The target already holds data (in %s): db copy only fills a new, empty database, never merges; give it a new database (createdb) or drop this one's tables", strings.Join(full, ", "))
	}
	for _, t := range tables {
		if replaced[t.name] {
			if _, err := tx.Exec(ctx, `DELETE FROM `+quote(t.name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyTable copies t from the source with COPY and returns how many rows
// it copied. progress receives the table's rows copied so far.
func copyTable(ctx context.Context, tx pgx.Tx, src *source, t *table, progress func(int64)) (int64, error) {
	rows, err := src.rows(ctx, t)
	if err != nil {
		return 0, fmt.Errorf("read %s from the snapshot: %w", t.name, err)
	}
	defer rows.Close()
	rs := newRowSource(rows, t, progress)
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = c.name
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, rs)
	if err != nil {
		if rs.err != nil {
			return 0, rs.err
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Detail != "" {
			// The detail names the offending row ("Key (lower(email))=…
			// already exists.").
			return 0, fmt.Errorf("copy %s: %s (%s); nothing was copied", t.name, pgErr.Message, pgErr.Detail)
		}
		return 0, fmt.Errorf("copy %s: %w; nothing was copied", t.name, err)
	}
	return n, nil
}

// setSequences sets the sequence of every identity column of the copied
// tables so that the next generated ID follows the largest copied one (1
// for an empty table): the copy inserted explicit IDs, which do not advance
// sequences.
func setSequences(ctx context.Context, tx pgx.Tx, tables []*table) error {
	for _, t := range tables {
		if t.skip {
			continue
		}
		for _, c := range t.columns {
			if !c.identity {
				continue
			}
			_, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(%s), 0) + 1, false) FROM %s`, quote(c.name), quote(t.name)), quote(t.name), c.name)
			if err != nil {
				return fmt.Errorf("set the sequence of %s.%s: %w", t.name, c.name, err)
			}
		}
	}
	return nil
}

// analyze gathers the planner's statistics of the copied tables, in the
// transaction (ANALYZE, unlike VACUUM, may run in one): without them, the
// first queries after a bulk load are planned for empty tables, until
// autovacuum gets to them.
func analyze(ctx context.Context, tx pgx.Tx, tables []*table) error {
	var names []string
	for _, t := range tables {
		if !t.skip {
			names = append(names, quote(t.name))
		}
	}
	if _, err := tx.Exec(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze the copied tables: %w", err)
	}
	return nil
}

// targetAggregate computes t's aggregates in the target.
func targetAggregate(ctx context.Context, tx pgx.Tx, t *table) ([]int64, error) {
	exprs := make([]string, len(t.aggregates))
	for i, a := range t.aggregates {
		exprs[i] = a.postgres
	}
	return scanInts(tx.QueryRow(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+quote(t.name)), len(exprs))
}

// unavailable wraps an error reaching the target.
func unavailable(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || errors.Is(err, context.Canceled) {
		return err
	}
	return glpinet.Errorf(glpinet.EUNAVAILABLE, "Cannot reach the target PostgreSQL: %v", err)
}
