package http

import (
	"net/http"
	"time"

	"github.com/glpinet/glpinet/http/glpiapi"
)

// glpiRoutes builds the GLPI wire API from the server's fields and mounts
// it.
func (s *Server) glpiRoutes(mux *http.ServeMux) {
	s.glpi = &glpiapi.Handler{
		Validator: s.Validator, Catalogue: s.Catalogue, Sightings: s.Sightings, Downloads: s.Downloads,
		ArchiveDir: s.ArchiveDir, Archives: s.Archives, SigningKey: s.SigningKey, PublicURL: s.PublicURL, Proxies: s.proxies(),
		Logger:  s.Logger,
		Metrics: glpiapi.Metrics{Validations: s.metrics.validations, Downloads: s.metrics.downloads, Refused: s.metrics.refused},
		// Read at each request: tests move the server's clock.
		Now: func() time.Time { return s.Now() },
	}
	s.glpi.Register(func(pattern string, h http.HandlerFunc) { s.route(mux, pattern, h) })
}
