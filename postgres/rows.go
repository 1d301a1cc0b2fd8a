package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// Helpers for reading rows, shared by the store's reads and its Lock methods.

// orNone turns "no row" into nil, nil: storeflow says what is missing.
func orNone[T any](v *T, err error) (*T, error) {
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	return v, err
}

// collect reads every row of a query with scan (pgx closes the rows): a
// list read, nil when there is no row. (A function of the query's
// results, so that a call is one line: collect(scanKey)(db.pool.Query(…)).)
func collect[T any](scan func(pgx.Row) (T, error)) func(pgx.Rows, error) ([]T, error) {
	return func(rows pgx.Rows, err error) ([]T, error) {
		if err == nil {
			var out []T
			out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
			return out, mapError(err)
		}
		return nil, mapError(err)
	}
}

// qualified prefixes each of the comma-separated columns with table's
// alias, for a join: qualified("u", "id, email") is "u.id, u.email".
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}
