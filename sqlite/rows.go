package sqlite

import (
	"database/sql"
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
