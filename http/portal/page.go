package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/glpinet/glpinet"
)

// pager is the navigation between the pages of a list that grows (keys,
// instances, members, audit events, accounts): a link to the first page
// when the visitor is past it, and to the next one when there is one.
// Both keep the page's other query parameters (filters, search).
type pager struct {
	Lang  string
	First string // URL of the first page; "" on the first page
	Next  string // URL of the next page; "" on the last page
}

// listPage is the page of a list a request asks for: ?after= on a GET;
// a form's answer (a POST) shows the first page.
func listPage(r *http.Request) glpinet.Page {
	if r.Method != http.MethodGet {
		return glpinet.Page{}
	}
	return glpinet.Page{After: r.URL.Query().Get("after")}
}

// pagerFor returns the pager of a list shown at path (the GET page's own
// path: a form's answer is rendered under the form's action), read with
// p, whose next cursor is next.
func pagerFor(r *http.Request, lang, path string, p glpinet.Page, next string) pager {
	q := url.Values{}
	if r.Method == http.MethodGet {
		q = r.URL.Query()
	}
	q.Del("after")
	q.Del("lang") // the language is kept by its cookie
	link := func() string {
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	pg := pager{Lang: lang}
	if p.After != "" {
		pg.First = link()
	}
	if next != "" {
		q.Set("after", next)
		pg.Next = link()
	}
	return pg
}

// pageCount says how many rows a list holding one page of n rows has:
// n, or "n+" when another page follows.
func pageCount(n int, next string) string {
	if next != "" {
		return strconv.Itoa(n) + "+"
	}
	return strconv.Itoa(n)
}
