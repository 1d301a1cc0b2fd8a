package dbcopy

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// converter turns a value read from SQLite (nil, int64, float64, string or
// []byte: SQLite's storage classes) into one pgx encodes for the target
// column's type.
type converter func(v any) (any, error)

// converters by PostgreSQL type (as format_type names it). The stores'
// types are listed in postgres/doc.go; a column of any other type stops the
// copy before it starts.
var converters = map[string]converter{
	"bigint":                   toInt,
	"integer":                  toInt,
	"double precision":         toFloat,
	"text":                     toText,
	"bytea":                    toBytes,
	"jsonb":                    toJSON,
	"boolean":                  toBool,
	"timestamp with time zone": toTime,
}

func toInt(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			return int64(v), nil
		}
	}
	return nil, unexpected("an integer", v)
}

func toFloat(v any) (any, error) {
	switch v := v.(type) {
	case nil, float64:
		return v, nil
	case int64:
		return float64(v), nil
	}
	return nil, unexpected("a number", v)
}

func toText(v any) (any, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return nil, unexpected("text", v)
	}
	// PostgreSQL refuses both in text; saying so here names the row.
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("not valid UTF-8, which PostgreSQL refuses in text")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("holds a NUL character, which PostgreSQL refuses in text")
	}
	return s, nil
}

func toBytes(v any) (any, error) {
	switch v := v.(type) {
	case nil, []byte:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return nil, unexpected("bytes", v)
}

// toJSON passes JSON text on: pgx sends a string to a jsonb column as is.
func toJSON(v any) (any, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return nil, unexpected("JSON text", v)
	}
	if !json.Valid([]byte(s)) {
		return nil, fmt.Errorf("not valid JSON: %.40q", s)
	}
	return s, nil
}

// toBool reads SQLite's booleans, integers: any but 0 is true, as in
// SQLite's own WHERE.
func toBool(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return v != 0, nil
	}
	return nil, unexpected("0 or 1", v)
}

// toTime parses the sqlite store's timestamps: RFC 3339 in UTC with nine
// fractional digits (sqlite/time.go), which RFC3339Nano reads. pgx sends
// microseconds, truncating as the postgres store does when it writes.
func toTime(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fmt.Errorf("not a timestamp: %.40q", v)
		}
		return t.UTC(), nil
	}
	return nil, unexpected("a timestamp", v)
}

func unexpected(want string, v any) error {
	switch v := v.(type) {
	case string:
		return fmt.Errorf("%.40q is not %s", v, want)
	case []byte:
		return fmt.Errorf("%d bytes are not %s", len(v), want)
	}
	return fmt.Errorf("%v (%T) is not %s", v, v, want)
}

// rowSource feeds one table's rows from the snapshot to pgx's CopyFrom
// (a pgx.CopyFromSource), converting each value.
type rowSource struct {
	rows     *sql.Rows
	t        *table
	vals     []any // scanned
	ptrs     []any // pointers to vals
	out      []any // converted, reused: pgx encodes a row before the next
	n        int64
	progress func(int64)
	// err is a conversion or read error, reported as the copy's error
	// (pgx wraps it otherwise).
	err error
}

// progressEvery is how many rows pass between calls to progress.
const progressEvery = 10_000

func newRowSource(rows *sql.Rows, t *table, progress func(int64)) *rowSource {
	rs := &rowSource{rows: rows, t: t, progress: progress,
		vals: make([]any, len(t.columns)), ptrs: make([]any, len(t.columns)), out: make([]any, len(t.columns))}
	for i := range rs.vals {
		rs.ptrs[i] = &rs.vals[i]
	}
	return rs
}

// Next reads and converts the next row.
func (rs *rowSource) Next() bool {
	if rs.err != nil {
		return false
	}
	if !rs.rows.Next() {
		if err := rs.rows.Err(); err != nil {
			rs.err = fmt.Errorf("read %s from the snapshot: %w", rs.t.name, err)
		}
		rs.progress(rs.n)
		return false
	}
	if err := rs.rows.Scan(rs.ptrs...); err != nil {
		rs.err = fmt.Errorf("read %s from the snapshot: %w", rs.t.name, err)
		return false
	}
	for i, c := range rs.t.columns {
		v, err := c.convert(rs.vals[i])
		if err != nil {
			rs.err = fmt.Errorf("%s, row %s, column %s: %w; nothing was copied", rs.t.name, rs.rowName(), c.name, err)
			return false
		}
		rs.out[i] = v
	}
	rs.n++
	if rs.n%progressEvery == 0 {
		rs.progress(rs.n)
	}
	return true
}

// rowName identifies the current row for an error message by its first
// column (the ID, or the key), unless that is binary (a hash).
func (rs *rowSource) rowName() string {
	switch v := rs.vals[0].(type) {
	case int64:
		return fmt.Sprintf("%d (%s %d)", rs.n+1, rs.t.columns[0].name, v)
	case string:
		return fmt.Sprintf("%d (%s %.40q)", rs.n+1, rs.t.columns[0].name, v)
	}
	return fmt.Sprint(rs.n + 1)
}

// Values returns the converted row.
func (rs *rowSource) Values() ([]any, error) { return rs.out, nil }

// Err returns what stopped the rows early.
func (rs *rowSource) Err() error { return rs.err }
