package glpinet

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Lists that grow without bound (instances, audit events, accounts,
// members, keys) are read one page at a time, by keyset: a page starts
// after the sort key of the previous page's last row, never at an offset,
// so that reading page n costs the same as reading page 1 and a row
// inserted or removed between two pages neither repeats nor hides a row
// of the pages after it.
const (
	// DefaultPageLimit is the size of a page when none is asked for.
	DefaultPageLimit = 50
	// MaxPageLimit is the largest page: a larger limit is cut to it.
	MaxPageLimit = 500
)

// Page asks for one page of a list.
type Page struct {
	// After is the cursor a list returned with the previous page (its
	// next cursor); "" asks for the first page. Cursors are opaque:
	// base64url of the last row's sort key.
	After string
	// Limit is the most rows the page holds: 0 (or less) means
	// DefaultPageLimit, more than MaxPageLimit means MaxPageLimit.
	Limit int
}

// Size is the page's limit within bounds.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	}
	return p.Limit
}

// Cut trims rows, read with a limit of p.Size()+1 (one more row than the
// page, to know whether another page follows), to the page, and returns
// the cursor of the next page, made by cursor from the page's last row;
// "" when this page is the last.
func Cut[T any](p Page, rows []T, cursor func(T) string) ([]T, string) {
	n := p.Size()
	if len(rows) <= n {
		return rows, ""
	}
	rows = rows[:n]
	return rows, cursor(rows[n-1])
}

// All reads every page of a list with the largest pages, for the few
// callers that need all of its rows (command-line listings, copies,
// tests): list reads one page.
func All[T any](list func(Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := Page{Limit: MaxPageLimit}
	for {
		rows, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if next == "" {
			return out, nil
		}
		p.After = next
	}
}

// Cursors name their list, so that a cursor given to another list is
// refused rather than read as a different sort key.
const (
	cursorSep       = "\x1f" // a control character no sort key holds but an instance UID, kept last
	CursorAccounts  = "accounts"
	CursorAudit     = "audit"
	CursorKeys      = "keys"
	CursorUsers     = "users"
	CursorInstances = "instances"
)

// IDCursor is the cursor of the page after the row with this ID, in
// list (one of the Cursor* names).
func IDCursor(list string, id int64) string {
	return encodeCursor(list, strconv.FormatInt(id, 10))
}

// AfterID reads the ID of the page's cursor for list; 0 when the page is
// the first. Returns EINVALID when the cursor is not one of list's.
func (p Page) AfterID(list string) (int64, error) {
	if p.After == "" {
		return 0, nil
	}
	f, err := decodeCursor(list, p.After, 1)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, badCursor()
	}
	return id, nil
}

// InstanceCursor is the cursor of the instances page after in: instances
// are listed by last seen, then key and UID, all descending.
func InstanceCursor(in *Instance) string {
	return encodeCursor(CursorInstances, in.LastSeen.UTC().Format(time.RFC3339Nano), strconv.FormatInt(in.KeyID, 10), in.UID)
}

// InstanceAfter is the sort key an instances cursor holds.
type InstanceAfter struct {
	LastSeen time.Time
	KeyID    int64
	UID      string
}

// AfterInstance reads the page's instances cursor; nil when the page is
// the first. Returns EINVALID when the cursor is not an instances one.
func (p Page) AfterInstance() (*InstanceAfter, error) {
	if p.After == "" {
		return nil, nil
	}
	f, err := decodeCursor(CursorInstances, p.After, 3)
	if err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil {
		return nil, badCursor()
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil, badCursor()
	}
	return &InstanceAfter{LastSeen: t.UTC(), KeyID: id, UID: f[2]}, nil
}

func encodeCursor(list string, fields ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + cursorSep + strings.Join(fields, cursorSep)))
}

// decodeCursor returns the n fields of a cursor of list; the last field
// takes the rest (an instance UID may hold anything).
func decodeCursor(list, cursor string, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, badCursor()
	}
	f := strings.SplitN(string(raw), cursorSep, n+1)
	if len(f) != n+1 {
		return nil, badCursor()
	}
	if f[0] != list {
		return nil, Errorf(EINVALID, "The page cursor belongs to another list than the %s: start again from the first page.", list)
	}
	return f[1:], nil
}

func badCursor() error {
	return Errorf(EINVALID, "The page cursor is malformed: use the next cursor of the previous page as it was given, or start again from the first page.")
}
