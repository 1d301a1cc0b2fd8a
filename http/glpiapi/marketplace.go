package glpiapi

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// URLRoot returns the absolute marketplace root download links start with,
// on the same prefix the request used (so GLPI 9.5–10.0.7, which knows only
// /api/glpi-plugins/, gets links it can follow through the same proxies).
func (h *Handler) URLRoot(r *http.Request) string {
	base, _ := h.linkBase(r)
	return base + marketplacePrefix(r)
}

// BaseURL returns the server's absolute root (no trailing slash), for the
// links people copy: the public URL, or what the request reached.
func (h *Handler) BaseURL(r *http.Request) string {
	base, _ := h.linkBase(r)
	return base
}

// marketplacePrefix is the marketplace root the request used.
func marketplacePrefix(r *http.Request) string {
	prefix := MarketplacePrefixes[0]
	for _, p := range MarketplacePrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			prefix = p
		}
	}
	return prefix
}

// linkBase returns the scheme and host links to this server start with:
// the configured public URL (fixed is then true), or what the request says
// it reached (its Host, or a trusted proxy's X-Forwarded-Host).
func (h *Handler) linkBase(r *http.Request) (base string, fixed bool) {
	if h.PublicURL != "" {
		return strings.TrimRight(h.PublicURL, "/"), true
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if h.Proxies.Forwarded(r) {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
		if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
			host = fh
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host, false
}

// validHost reports whether h can be put in a URL and a JSON string as it
// is: a host name or address and a port, nothing else.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]_", c)) {
			return false
		}
	}
	return true
}

// placeholderBase stands for the request's own base in the pages rendered
// when no public URL is configured: pages are then rendered once, not once
// per Host header a client makes up, and the base is put in as each is
// sent (.invalid is a name that never resolves).
const placeholderBase = "https://glpinet-link-base.invalid"

// level returns the offer level the request's key entitles to, -1 for
// none. The marketplace is public; a key only unlocks gated downloads.
func (h *Handler) level(r *http.Request) (int, error) {
	raw := r.Header.Get("X-Registration-Key")
	if raw == "" {
		return -1, nil
	}
	addr := h.clientKey(r)
	ctx, _ := h.keyContext(r, addr)
	v, err := h.Validator.Validate(ctx, raw)
	if err == glpinet.ErrRecheckBudget {
		// Not a key this server knows of, as far as it can tell without
		// reading the store: the public catalogue.
		h.verdicts.Allow(addr, h.Now())
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	if v.Code == glpinet.ValidationUnknown || v.Code == glpinet.ValidationMalformed {
		// Counted as at /info: the catalogue is public, so the page is
		// still served, but the store is not read for this address's
		// made-up keys any more once its budget is spent.
		h.verdicts.Allow(addr, h.Now())
	}
	h.sighting(r, v)
	return v.Level(), nil
}

// catalogue returns the snapshot or writes a 503.
func (h *Handler) catalogue(w http.ResponseWriter, r *http.Request) *glpinet.Catalogue {
	cat := h.Catalogue.Current()
	if cat == nil {
		h.error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
	}
	return cat
}

// handlePlugins serves a page of the catalogue.
func (h *Handler) handlePlugins(w http.ResponseWriter, r *http.Request) {
	h.servePage(w, r, "")
}

// handleTagPlugins serves a page of the plugins carrying a tag; an unknown
// tag is an empty list, not an error (GLPI retries errors three times and
// then reports a truncated list).
func (h *Handler) handleTagPlugins(w http.ResponseWriter, r *http.Request) {
	h.servePage(w, r, r.PathValue("tag"))
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request, tag string) {
	cat := h.catalogue(w, r)
	if cat == nil {
		return
	}
	if tag != "" && !cat.HasTag(tag) {
		httpx.WriteJSON(w, http.StatusOK, []struct{}{})
		return
	}
	level, err := h.level(r)
	if err != nil {
		h.error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "Registration information is temporarily unavailable; try again shortly."))
		return
	}
	rng := ParseXRange(r.Header.Get("X-Range"))
	base, fixed := h.linkBase(r)
	root := base
	if !fixed {
		root = placeholderBase
	}
	v := view{gen: cat.Generation, level: level, urlRoot: root + marketplacePrefix(r)}
	p := h.pages.get(cat, glpinet.ParseUserAgent(r.UserAgent()).GLPIVersion, pageKey{view: v, tag: tag, start: rng.Start, end: rng.End})
	if p != nil && !fixed {
		p = h.pages.hosts.get(p, base, acceptsGzip(r), h.Now())
	}
	if p == nil {
		// Other ranges than GLPI's, or pages for made-up hosts, past
		// their budget of builds.
		h.Metrics.Refused.WithLabelValues("page_builds").Inc()
		httpx.RetryAfter(w, time.Second)
		h.error(w, r, glpinet.Errorf(glpinet.ETOOMANY, "Too many uncommon catalogue pages are being asked for: try again shortly."))
		return
	}

	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Content-Range", contentRange(rng, p.total))
	hdr.Set("Accept-Range", "model "+strconv.Itoa(p.total))
	hdr.Set("ETag", p.etag)
	hdr.Set("Vary", "Accept-Encoding, X-Range, X-Registration-Key, User-Agent")
	hdr.Set("Cache-Control", "private, no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == p.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.body
	if p.gz != nil && acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0").
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.TrimSpace(coding)
		if !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}

// topTagJSON is one entry of tags/top.
type topTagJSON struct {
	Key         string `json:"key"`
	Tag         string `json:"tag"`
	Lang        string `json:"lang"`
	PluginCount int    `json:"plugin_count"`
}

// handleTopTags lists the ten most used tags, named in the X-Lang language
// when a name exists in it.
func (h *Handler) handleTopTags(w http.ResponseWriter, r *http.Request) {
	cat := h.catalogue(w, r)
	if cat == nil {
		return
	}
	lang := tagLanguage(r.Header.Get("X-Lang"))
	tags := make([]*glpinet.TagCount, 0, len(cat.Tags))
	for _, t := range cat.Tags {
		if t.Plugins > 0 {
			tags = append(tags, t)
		}
	}
	sort.SliceStable(tags, func(i, j int) bool {
		if tags[i].Plugins != tags[j].Plugins {
			return tags[i].Plugins > tags[j].Plugins
		}
		return tags[i].Key < tags[j].Key
	})
	out := []topTagJSON{}
	for _, t := range tags[:min(10, len(tags))] {
		l := lang
		if t.Names[lang] == "" {
			l = "en"
		}
		out = append(out, topTagJSON{Key: t.Key, Tag: t.Name(lang), Lang: l, PluginCount: t.Plugins})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// handleDownloadNotice counts the download GLPI reports after installing a
// plugin; GLPI ignores the answer.
func (h *Handler) handleDownloadNotice(w http.ResponseWriter, r *http.Request) {
	cat := h.catalogue(w, r)
	if cat == nil {
		return
	}
	key := r.PathValue("key")
	if cat.Plugin(key) == nil {
		h.error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "There is no plugin %q.", key))
		return
	}
	if h.Downloads != nil {
		h.Downloads.Add(key)
	}
	h.Metrics.Downloads.WithLabelValues("notice").Inc()
	w.WriteHeader(http.StatusNoContent)
}
