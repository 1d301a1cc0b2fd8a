package http

import (
	"net/http"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/glpiapi"
)

// glpiRoutes builds the GLPI wire API from the server's fields and mounts
// it, each route with its body rule and in the list of patterns.
func (s *Server) glpiRoutes(mux *http.ServeMux) {
	s.glpi = &glpiapi.Handler{
		Validator: s.Validator, Catalogue: s.Catalogue, Sightings: s.Sightings, Downloads: s.Downloads,
		ArchiveDir: s.ArchiveDir, SigningKey: s.SigningKey, PublicURL: s.PublicURL, Proxies: s.proxies(),
		Logger:  s.Logger,
		Metrics: glpiapi.Metrics{Validations: s.metrics.validations, Downloads: s.metrics.downloads, Refused: s.metrics.refused},
		// Read at each request: tests move the server's clock.
		Now: func() time.Time { return s.Now() },
	}
	s.glpi.Register(func(pattern string, h http.HandlerFunc) { s.route(mux, pattern, h) })
	s.pages = portalPages{s.glpi}
}

// The names below let the portal's marketplace page and invitation links
// (portal_marketplace.go, portal_members.go) reach the GLPI API's views
// as they did when both lived in this package; they go when the portal
// moves to its own package and calls glpiapi directly.

// pluginJSON is a plugin as the marketplace lists it.
type pluginJSON = glpiapi.Plugin

// view is what the portal asks a catalogue view for.
type view struct {
	gen     uint64
	level   int
	urlRoot string
}

// portalPages gives the portal the GLPI API's catalogue views.
type portalPages struct{ api *glpiapi.Handler }

// viewOf returns the view of cat for a GLPI version; the second result
// only keeps the portal's call shape.
func (p portalPages) viewOf(cat *glpinet.Catalogue, glpi string, v view) (glpiapi.View, struct{}) {
	return p.api.View(cat, glpi, v.level, v.urlRoot), struct{}{}
}

// pluginFor returns p as the view lists it.
func pluginFor(p *glpinet.Plugin, _ []*glpinet.Offer, _ map[string]*glpinet.Offer, v glpiapi.View, _ struct{}) pluginJSON {
	return v.Plugin(p)
}

// urlRoot returns the absolute marketplace root download links start with.
func (s *Server) urlRoot(r *http.Request) string { return s.glpi.URLRoot(r) }
