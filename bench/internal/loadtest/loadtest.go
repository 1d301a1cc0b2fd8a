// Package loadtest holds what the load generators of bench/ share: their
// repeatable header flag and the reading of key files.
package loadtest

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Headers is a repeatable flag of "Name: value" headers.
type Headers []string

func (h *Headers) String() string { return strings.Join(*h, ", ") }

// Set adds a header.
func (h *Headers) Set(v string) error { *h = append(*h, v); return nil }

// ReadLines returns count lines of path from line first on (1-based;
// count 0: to the end), such as the keys of a key file.
func ReadLines(path string, first, count int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var out []string
	for line := 1; sc.Scan() && (count <= 0 || len(out) < count); line++ {
		if line >= first {
			out = append(out, sc.Text())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no lines from line %d of %s", first, path)
	}
	return out, sc.Err()
}
