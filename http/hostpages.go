package http

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
// the server do with made-up Host headers is bounded:
//
//   - a copy is kept, compressed (as GLPI gets it), for the pages and
//     bases asked for, within hostCompressRate compressions a second in
//     all (past it the page is sent uncompressed), and at most
//     maxHostPages copies (their gzip form only, about 90 KB each),
//     forgotten together when full or when the catalogue changes;
//   - a page sent without a kept copy costs a copy of its bytes, at most
//     hostBuildRate a second in all: past it the answer is 429.
type hostPages struct {
	mu       sync.Mutex
	pages    map[hostPageKey]*page // compressed copies (no body)
	compress *rate.Limiter
	builds   *rate.Limiter
}

type hostPageKey struct {
	page *page // a page of the page cache, with the placeholder base
	base string
}

const (
	maxHostPages     = 256
	hostCompressRate = 4 // per second
	hostCompressMax  = 16
	hostBuildRate    = 200 // per second
	hostBuildMax     = 400
)

func newHostPages() *hostPages {
	return &hostPages{pages: map[hostPageKey]*page{},
		compress: rate.NewLimiter(hostCompressRate, hostCompressMax), builds: rate.NewLimiter(hostBuildRate, hostBuildMax)}
}

// get returns p with base put in, for a client that accepts gzip or not;
// nil when the budget of copies is spent (answer 429).
func (h *hostPages) get(p *page, base string, gzipOK bool, now time.Time) *page {
	k := hostPageKey{p, base}
	h.mu.Lock()
	hp := h.pages[k]
	h.mu.Unlock()
	if hp != nil && gzipOK {
		return hp
	}
	if !h.builds.AllowN(now, 1) {
		return nil
	}
	out := p.withBase(base)
	if hp != nil || p.gz == nil || !h.compress.AllowN(now, 1) {
		return out
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	zw.Write(out.body)
	zw.Close()
	out.gz = gz.Bytes()
	h.mu.Lock()
	if len(h.pages) >= maxHostPages {
		h.pages = map[hostPageKey]*page{}
	}
	h.pages[k] = &page{gz: out.gz, etag: out.etag, total: out.total}
	h.mu.Unlock()
	return out
}

// reset forgets every copy (the catalogue changed: the pages they copy
// are gone).
func (h *hostPages) reset() {
	h.mu.Lock()
	h.pages = map[hostPageKey]*page{}
	h.mu.Unlock()
}
