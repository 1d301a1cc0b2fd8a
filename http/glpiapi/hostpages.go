package glpiapi

import (
	"bytes"
	"compress/gzip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// hostPages serves the marketplace pages of a server without a public
// URL: each cached page has a placeholder base (see placeholderBase), and
// the request's own base is put in as it is sent. What a client can make
// the server do with made-up Host headers is bounded, and GLPI's own host
// keeps its compressed pages whatever they do:
//
//   - a copy is kept, compressed (as GLPI gets it), for the pages and
//     bases asked for, within hostCompressRate compressions a second in
//     all (past it the page is sent uncompressed), and at most
//     maxHostPages copies (their gzip form only, about 90 KB each); when
//     full, the copies never asked for again go first (a made-up Host is
//     used once), and all of them only if every one was;
//   - a page sent without a kept copy costs a copy of its bytes, at most
//     hostBuildRate a second in all for bases not seen twice (past it the
//     answer is 429); a base whose copy was asked for again (a host in
//     use) is known, and never refused.
type hostPages struct {
	mu       sync.Mutex
	pages    map[hostPageKey]*hostCopy
	known    map[string]bool // bases whose copies were asked for again
	compress *rate.Limiter
	builds   *rate.Limiter
}

type hostPageKey struct {
	page *page // a page of the page cache, with the placeholder base
	base string
}

// hostCopy is a kept copy (gzip form, no body) and how often it was used
// since it was made.
type hostCopy struct {
	page *page
	hits int
}

const (
	maxHostPages     = 256
	maxKnownBases    = 1024
	hostCompressRate = 4 // per second
	hostCompressMax  = 16
	hostBuildRate    = 200 // per second
	hostBuildMax     = 400
)

func newHostPages() *hostPages {
	return &hostPages{pages: map[hostPageKey]*hostCopy{}, known: map[string]bool{},
		compress: rate.NewLimiter(hostCompressRate, hostCompressMax), builds: rate.NewLimiter(hostBuildRate, hostBuildMax)}
}

// get returns p with base put in, for a client that accepts gzip or not;
// nil when the budget of copies is spent (answer 429).
func (h *hostPages) get(p *page, base string, gzipOK bool, now time.Time) *page {
	k := hostPageKey{p, base}
	h.mu.Lock()
	c := h.pages[k]
	if c != nil {
		c.hits++
		if len(h.known) >= maxKnownBases && !h.known[base] {
			h.known = map[string]bool{}
		}
		h.known[base] = true
	}
	known := h.known[base]
	h.mu.Unlock()
	if c != nil && gzipOK {
		return c.page
	}
	if !known && !h.builds.AllowN(now, 1) {
		return nil
	}
	out := p.withBase(base)
	if c != nil || p.gz == nil || !h.compress.AllowN(now, 1) {
		return out
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	zw.Write(out.body)
	zw.Close()
	out.gz = gz.Bytes()
	h.mu.Lock()
	if len(h.pages) >= maxHostPages {
		h.evictLocked()
	}
	h.pages[k] = &hostCopy{page: &page{gz: out.gz, etag: out.etag, total: out.total}}
	h.mu.Unlock()
	return out
}

// evictLocked drops the copies never used again, or all of them when
// every one was.
func (h *hostPages) evictLocked() {
	for k, c := range h.pages {
		if c.hits == 0 {
			delete(h.pages, k)
		}
	}
	if len(h.pages) >= maxHostPages {
		h.pages = map[hostPageKey]*hostCopy{}
	}
}

// reset forgets every copy (the catalogue changed: the pages they copy
// are gone). Known bases stay known.
func (h *hostPages) reset() {
	h.mu.Lock()
	h.pages = map[hostPageKey]*hostCopy{}
	h.mu.Unlock()
}
