// Package glpiapi serves the GLPI Network contract that an unmodified GLPI
// calls (spec/glpi-network-api.md): registration (/api/registration/…),
// the marketplace under both its roots (/api/marketplace/…, and
// /api/glpi-plugins/… for GLPI 9.5 to 10.0.7) with X-Range paging, and the
// archive downloads. The server core (package http) builds a Handler from
// its configuration and mounts it with Register, inside its own middleware
// (request ids, body limits, transfer rules, panics, metrics).
package glpiapi

import (
	"crypto/ed25519"
	"log/slog"
	"net/http"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/prometheus/client_golang/prometheus"
)

// CatalogueSource returns the current catalogue snapshot.
type CatalogueSource interface {
	Current() *glpinet.Catalogue
}

// MarketplacePrefixes are the two roots GLPI uses for the marketplace: the
// current one (10.0.8 and later) and the one of GLPI 9.5 to 10.0.7.
var MarketplacePrefixes = []string{"/api/marketplace/", "/api/glpi-plugins/"}

// Metrics are the counters the GLPI API moves. They are registered by the
// caller, which shares refused with its own limits; a nil one is replaced
// by an unregistered counter.
type Metrics struct {
	// Validations counts key validations by verdict code (label "code").
	Validations *prometheus.CounterVec
	// Downloads counts archives served and download notices (label "kind").
	Downloads *prometheus.CounterVec
	// Refused counts requests refused by a protective limit (label "limit").
	Refused *prometheus.CounterVec
}

// Handler holds what the GLPI endpoints need. Set the exported fields,
// then call Register once; the fields must not change afterwards.
type Handler struct {
	Validator glpinet.Validator
	Catalogue CatalogueSource
	// Sightings and Downloads receive what GLPI reports, to be written in
	// batches off the request path; nil ones drop it.
	Sightings interface{ Add(glpinet.Sighting) }
	Downloads interface{ Add(key string) }
	// Archives opens the archive files downloads serve (package
	// archivecache: the local disk, filled from the database on
	// PostgreSQL). Nil: the files under ArchiveDir, as they are.
	Archives ArchiveFiles
	// ArchiveDir is where published archives are stored, when Archives
	// is nil.
	ArchiveDir string
	// SigningKey is the public half of the key that signs archives,
	// published so that clients can verify downloads; nil when unknown.
	SigningKey ed25519.PublicKey
	// PublicURL is the absolute URL GLPI reaches this server at, used in
	// download URLs. When empty it is derived from each request (its Host,
	// or a trusted proxy's X-Forwarded-Host: see Proxies).
	PublicURL string
	// Proxies says whose X-Forwarded-* headers to believe, for download
	// links and for the address that per-address budgets count.
	Proxies httpx.Proxies
	Logger  *slog.Logger
	Metrics Metrics
	// Now is the clock (nil: time.Now).
	Now func() time.Time

	pages    *pageCache
	verdicts httpx.AddrLimiter // unknown keys answered, per address
}

// Register mounts the GLPI endpoints through route, which the caller uses
// to wrap each one (body limits) and to keep its list of patterns.
func (h *Handler) Register(route func(pattern string, handler http.HandlerFunc)) {
	h.init()
	route("GET /api/registration/info", h.handleInfo)
	route("GET /api/registration/offers", h.handleOffers)
	route("GET /api/registration/{$}", h.handleAvailability)
	route("GET /api/ping", h.handleAvailability)
	for _, p := range MarketplacePrefixes {
		route("GET "+p+"plugins", h.handlePlugins)
		route("GET "+p+"tags/top", h.handleTopTags)
		route("GET "+p+"tags/{tag}/plugin", h.handleTagPlugins)
		route("GET "+p+"plugin/{key}/download/{version}", h.handleDownloadNotice)
		route("GET "+p+"archives/{key}/{version}/{file}", h.handleArchive)
		route("GET "+p+"signing-key", h.handleSigningKey)
	}
}

// init fills in the defaults.
func (h *Handler) init() {
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	counter := func(c **prometheus.CounterVec, name, label string) {
		if *c == nil {
			*c = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name}, []string{label})
		}
	}
	counter(&h.Metrics.Validations, "glpinet_validations_total", "code")
	counter(&h.Metrics.Downloads, "glpinet_downloads_total", "kind")
	counter(&h.Metrics.Refused, "glpinet_refused_total", "limit")
	h.pages = newPageCache()
}

// error writes err in the API's JSON shape. GLPI's paths hold no secret,
// so they are logged as they are.
func (h *Handler) error(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Error(w, r, h.Logger, r.URL.Path, err)
}

// clientKey is what the request's per-address budgets count on.
func (h *Handler) clientKey(r *http.Request) string {
	return httpx.ClientKey(h.Proxies.ClientIP(r))
}
