package sqlite

import (
	"database/sql"
	"strings"
)

// Helpers for reading rows, shared by the store's reads and its Lock methods.

// orNone turns "no row" into nil, nil: storeflow says what is missing.
func orNone[T any](v *T, err error) (*T, error) {
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return v, err
}

// collect reads every row of a query with scan and closes the rows: a
// list read. (A function of the query's results, so that a call is one
// line: collect(scanKey)(db.read.QueryContext(…)).)
func collect[T any](scan func(scanner) (T, error)) func(*sql.Rows, error) ([]T, error) {
	return func(rows *sql.Rows, err error) (out []T, _ error) {
		if err != nil {
			return nil, mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, mapError(rows.Err())
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
