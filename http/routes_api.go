package http

import (
	"net/http"
	"time"

	"github.com/glpinet/glpinet/http/api"
)

// apiRoutes builds the management API from the server's fields and mounts
// it.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	h := &api.Handler{
		Store: s.Store, Catalogue: s.Catalogue, Publisher: s.Publisher, Uploads: s.uploads(),
		Credentials: s.credentials, Proxies: s.proxies(), BaseURL: s.glpi.BaseURL,
		Logger: s.Logger, Refused: s.metrics.refused,
		Now: func() time.Time { return s.Now() },
	}
	h.Register(func(pattern string, h http.HandlerFunc) { s.route(mux, pattern, h) })
}
