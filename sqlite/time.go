package sqlite

import (
	"database/sql"
	"time"
)

// timeFormat is fixed-width (always nine fractional digits) so that stored
// timestamps order correctly as strings.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		// Rows are only written by this package; a parse failure means a
		// hand edit. Fall back to RFC 3339 rather than losing the value.
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func parseTimePtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}
