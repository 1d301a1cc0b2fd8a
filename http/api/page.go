package api

import (
	"net/http"
	"strconv"

	"github.com/glpinet/glpinet"
)

// page is the shape of the lists that grow (instances, audit events,
// accounts, users, keys), read by keyset one page at a time: the rows of
// the page and the cursor of the next, given back as ?after= ("" on the
// last page).
type page[T any] struct {
	Data  []T    `json:"data"`
	Limit int    `json:"limit"`
	Next  string `json:"next"`
}

// newPage is the answer holding rows, read with p, and the next cursor.
func newPage[T any](p glpinet.Page, rows []T, next string) page[T] {
	if rows == nil {
		rows = []T{}
	}
	return page[T]{Data: rows, Limit: p.Size(), Next: next}
}

// pageOf reads the request's ?limit= (default glpinet.DefaultPageLimit, at
// most glpinet.MaxPageLimit: a larger one is cut) and ?after= (the next
// cursor of the previous page). Returns EINVALID when limit is not a
// whole number; a malformed cursor is refused by the store.
func pageOf(r *http.Request) (glpinet.Page, error) {
	q := r.URL.Query()
	p := glpinet.Page{After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, glpinet.Errorf(glpinet.EINVALID, "limit is the number of rows of a page, from 1 to %d.", glpinet.MaxPageLimit)
		}
		p.Limit = n
	}
	return p, nil
}

// keyset marks the answers read by keyset, whose operations the OpenAPI
// document gives the ?limit= and ?after= parameters.
type keyset interface{ keyset() }

func (page[T]) keyset() {}

// pageParams documents the query parameters of a list read by keyset.
func pageParams(path string) []obj {
	params := []obj{
		{"name": "limit", "in": "query", "schema": obj{"type": "integer", "minimum": 1, "default": glpinet.DefaultPageLimit, "maximum": glpinet.MaxPageLimit},
			"description": "Rows of the page; a larger limit is cut to the maximum."},
		{"name": "after", "in": "query", "schema": obj{"type": "string"},
			"description": "The next cursor of the previous page, as given; absent for the first page. The answer's next is \"\" on the last page."},
	}
	if path == "/api/v1/accounts" {
		params = append(params, obj{"name": "offset", "in": "query", "deprecated": true, "schema": obj{"type": "integer", "minimum": 0},
			"description": "Rows skipped after the cursor: the former way through the list; prefer after."})
	}
	return params
}
