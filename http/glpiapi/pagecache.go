package glpiapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/phpver"
	"golang.org/x/time/rate"
)

// view is what makes two clients see different catalogues: the catalogue
// generation, which compatibility constraints their GLPI version meets (a
// string of 0 and 1 per distinct constraint: many GLPI versions share one),
// the key's offer level (download gating) and the URL root download links
// start with.
type view struct {
	gen     uint64
	compat  string
	level   int
	urlRoot string
}

// page is a rendered response, kept as bytes with its gzip form and ETag.
type page struct {
	body, gz []byte
	etag     string
	total    int // items in the whole list
}

// withBase returns the page with placeholderBase replaced by base, for a
// server without a public URL (uncompressed: see hostPages). Its ETag says
// which base.
func (p *page) withBase(base string) *page {
	sum := sha256.Sum256([]byte(base))
	return &page{body: bytes.ReplaceAll(p.body, []byte(placeholderBase), []byte(base)), total: p.total,
		etag: strings.TrimSuffix(p.etag, `"`) + "-" + base64.RawURLEncoding.EncodeToString(sum[:6]) + `"`}
}

type pageKey struct {
	view
	tag        string
	start, end int
}

// Bounds of the page cache. Its keys come partly from headers anyone can
// set (User-Agent, Host when no public URL is configured), so it is bounded
// in views and bytes; past a bound it is emptied, which only costs
// re-rendering.
const (
	maxCachedViews    = 64
	maxCachedVersions = 1024
	maxCachedBytes    = 64 << 20
	maxOddPages       = 256
	maxOddBytes       = 16 << 20
	oddBuildRate      = 100 // pages of other ranges built a second, at most
)

// pageCache keeps, for the current catalogue generation, the rendered
// plugins of each view and the pages GLPI asks for (200 items, aligned).
// Rendering happens outside the lock, once per key however many requests
// want it at the same time.
type pageCache struct {
	mu          sync.Mutex
	gen         uint64
	constraints map[string]int    // distinct compatibility constraint → bit
	compat      map[string]string // GLPI version → view.compat
	lists       map[view][][]byte
	pages       map[pageKey]*page
	bytes       int
	odd         map[pageKey]*page // pages of other ranges than GLPI's
	oddBytes    int
	hosts       *hostPages // copies with a request's base, without a public URL
	oddBuilds   *rate.Limiter
	inflight    map[any]*flight

	// renders and compressions count the expensive work done, for the
	// tests that check that clients cannot make the server repeat it.
	renders, compressions atomic.Int64
}

type flight struct {
	done chan struct{}
	val  any
}

func newPageCache() *pageCache {
	return &pageCache{hosts: newHostPages(), oddBuilds: rate.NewLimiter(oddBuildRate, oddBuildRate)}
}

// resetLocked empties the cache for generation gen.
func (c *pageCache) resetLocked(cat *glpinet.Catalogue) {
	c.gen = cat.Generation
	c.constraints = map[string]int{}
	for _, p := range cat.Plugins {
		for _, v := range p.Versions {
			if _, ok := c.constraints[v.Compatibility]; !ok && v.Compatibility != "" {
				c.constraints[v.Compatibility] = len(c.constraints)
			}
		}
	}
	c.compat, c.lists, c.pages, c.bytes = map[string]string{}, map[view][][]byte{}, map[pageKey]*page{}, 0
	c.odd, c.oddBytes = map[pageKey]*page{}, 0
	c.hosts.reset()
	c.inflight = map[any]*flight{}
}

// once returns the value cached under key by get/put, computing it with fn
// outside the lock when absent, and sharing one computation between
// concurrent callers.
func (c *pageCache) once(key any, get func() (any, bool), fn func() any, put func(any)) any {
	c.mu.Lock()
	if v, ok := get(); ok {
		c.mu.Unlock()
		return v
	}
	if f := c.inflight[key]; f != nil {
		c.mu.Unlock()
		<-f.done
		return f.val
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	gen := c.gen
	c.mu.Unlock()

	f.val = fn()
	c.mu.Lock()
	if c.gen == gen { // not reset meanwhile
		put(f.val)
		delete(c.inflight, key)
	}
	c.mu.Unlock()
	close(f.done)
	return f.val
}

// compatKey returns view.compat for a GLPI version ("" = unknown: every
// version is shown).
func (c *pageCache) compatKey(glpi string) string {
	if glpi == "" {
		return "*"
	}
	return c.once("compat:"+glpi,
		func() (any, bool) { k, ok := c.compat[glpi]; return k, ok },
		func() any {
			c.mu.Lock()
			cons := c.constraints
			c.mu.Unlock()
			bits := make([]byte, len(cons))
			for text, i := range cons {
				bits[i] = '0'
				if parsed, err := phpver.ParseConstraint(text); err != nil || phpver.CheckGLPI(parsed, glpi) {
					bits[i] = '1' // a constraint that does not parse hides nothing
				}
			}
			return string(bits)
		},
		func(v any) {
			if len(c.compat) >= maxCachedVersions {
				c.compat = map[string]string{}
			}
			c.compat[glpi] = v.(string)
		}).(string)
}

// visibility returns the filter of a view: whether a version with this
// compatibility constraint is shown.
func (c *pageCache) visibility(v view) func(string) bool {
	c.mu.Lock()
	cons := c.constraints
	c.mu.Unlock()
	return func(constraint string) bool {
		if v.compat == "*" || constraint == "" {
			return true
		}
		i, ok := cons[constraint]
		return !ok || i >= len(v.compat) || v.compat[i] == '1'
	}
}

// sync moves the cache to cat's generation; it reports false when cat is
// older than what the cache holds (a request still holding an older
// snapshot), whose pages must not be cached.
func (c *pageCache) sync(cat *glpinet.Catalogue) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cat.Generation > c.gen || c.constraints == nil {
		c.resetLocked(cat)
	}
	return cat.Generation == c.gen
}

// viewOf completes v with the compatibility key of a GLPI version and
// returns it with its version filter.
func (c *pageCache) viewOf(cat *glpinet.Catalogue, glpi string, v view) (view, func(string) bool) {
	c.sync(cat)
	v.compat = c.compatKey(glpi)
	return v, c.visibility(v)
}

// get returns the page for a request on catalogue cat; nil when it is a
// page of another range than GLPI's, not cached, and the budget of such
// builds (oddBuildRate a second) is spent.
func (c *pageCache) get(cat *glpinet.Catalogue, glpi string, k pageKey) *page {
	stale := !c.sync(cat)
	k.compat = c.compatKey(glpi)
	if stale {
		return buildPage(cat, renderItems(cat, k.view, c.visibility(k.view)), k, false)
	}
	items := c.once(k.view,
		func() (any, bool) { l, ok := c.lists[k.view]; return l, ok },
		func() any { c.renders.Add(1); return renderItems(cat, k.view, c.visibility(k.view)) },
		func(v any) {
			if len(c.lists) >= maxCachedViews {
				c.lists, c.pages, c.bytes = map[view][][]byte{}, map[pageKey]*page{}, 0
			}
			c.lists[k.view] = v.([][]byte)
		}).([][]byte)
	// Other ranges than GLPI's are for other clients (or for making the
	// server work): kept apart, in a smaller cache whose churn never
	// evicts GLPI's pages, and not compressed, so that a miss costs a copy
	// of the rendered items rather than a compression.
	if k.end-k.start+1 != defaultPageSize || k.start%defaultPageSize != 0 {
		c.mu.Lock()
		p := c.odd[k]
		c.mu.Unlock()
		if p == nil && !c.oddBuilds.AllowN(time.Now(), 1) {
			return nil // past the budget of builds: the caller answers 429
		}
		return c.once(k,
			func() (any, bool) { p, ok := c.odd[k]; return p, ok },
			func() any { return buildPage(cat, items, k, false) },
			func(v any) {
				p := v.(*page)
				if len(c.odd) >= maxOddPages || c.oddBytes+len(p.body) > maxOddBytes {
					c.odd, c.oddBytes = map[pageKey]*page{}, 0
				}
				c.odd[k] = p
				c.oddBytes += len(p.body)
			}).(*page)
	}
	return c.once(k,
		func() (any, bool) { p, ok := c.pages[k]; return p, ok },
		func() any { c.compressions.Add(1); return buildPage(cat, items, k, true) },
		func(v any) {
			p := v.(*page)
			size := len(p.body) + len(p.gz)
			if c.bytes+size > maxCachedBytes {
				c.pages, c.bytes = map[pageKey]*page{}, 0
			}
			c.pages[k] = p
			c.bytes += size
		}).(*page)
}
