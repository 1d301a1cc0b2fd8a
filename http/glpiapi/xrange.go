package glpiapi

import (
	"strconv"
	"strings"
)

// Page sizes for X-Range. GLPI always asks for 200 items; a client asking
// for more gets at most maxPageSize so that one response stays small.
const (
	defaultPageSize = 200
	maxPageSize     = 1000
)

// Range is an inclusive, 0-based item range from an X-Range header.
type Range struct{ Start, End int }

// ParseXRange reads "X-Range: 0-199". A missing or garbled header means
// the first page (a server that ignored the header and answered the whole
// list would put GLPI in an endless loop, since it stops only on an empty
// page). An end before the start, or a range longer than maxPageSize, is
// clamped rather than refused: GLPI retries refusals three times and then
// shows a truncated catalogue.
func ParseXRange(h string) Range {
	first := Range{0, defaultPageSize - 1}
	h = strings.TrimSpace(h)
	// Some clients send the unit, as in "items=0-199".
	if _, after, ok := strings.Cut(h, "="); ok {
		h = after
	}
	a, b, ok := strings.Cut(h, "-")
	if !ok {
		return first
	}
	start, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || start < 0 {
		return first
	}
	end, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil || end < start {
		end = start + defaultPageSize - 1
	}
	if end-start >= maxPageSize { // written so that a huge end cannot overflow
		end = start + maxPageSize - 1
	}
	return Range{start, end}
}
