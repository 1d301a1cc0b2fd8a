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
// the request's own base is put in as it is sent. Copies for the bases
// clients use are kept compressed, as GLPI expects them; what a client can
// make the server do with made-up Host headers is bounded: at most
// hostCompressRate compressions a second in all (past it a page is sent
// uncompressed, which costs one copy), and at most maxHostPages copies,
// forgotten together when full or when the catalogue changes.
type hostPages struct {
	mu     sync.Mutex
	pages  map[hostPageKey]*page
	budget *rate.Limiter
}

type hostPageKey struct {
	page *page // a page of the page cache, with the placeholder base
	base string
}

const (
	maxHostPages     = 256
	hostCompressRate = 4 // per second
	hostCompressMax  = 16
)

func newHostPages() *hostPages {
	return &hostPages{pages: map[hostPageKey]*page{}, budget: rate.NewLimiter(hostCompressRate, hostCompressMax)}
}

// get returns p with base put in, compressed when p is and the budget
// allows.
func (h *hostPages) get(p *page, base string, now time.Time) *page {
	k := hostPageKey{p, base}
	h.mu.Lock()
	if hp := h.pages[k]; hp != nil {
		h.mu.Unlock()
		return hp
	}
	h.mu.Unlock()
	hp := p.withBase(base)
	if p.gz == nil || !h.budget.AllowN(now, 1) {
		return hp
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	zw.Write(hp.body)
	zw.Close()
	hp.gz = gz.Bytes()
	h.mu.Lock()
	if len(h.pages) >= maxHostPages {
		h.pages = map[hostPageKey]*page{}
	}
	h.pages[k] = hp
	h.mu.Unlock()
	return hp
}

// reset forgets every copy (the catalogue changed: the pages they copy
// are gone).
func (h *hostPages) reset() {
	h.mu.Lock()
	h.pages = map[hostPageKey]*page{}
	h.mu.Unlock()
}
