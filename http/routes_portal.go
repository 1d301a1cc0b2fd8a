package http

import (
	"net/http"
	"time"

	"github.com/glpinet/glpinet/http/portal"
)

// portalRoutes builds the portal from the server's fields and mounts it.
// The GLPI API must be built first: the portal shows its views.
func (s *Server) portalRoutes(mux *http.ServeMux) {
	s.portal = &portal.Handler{
		Store: s.Store, Catalogue: s.Catalogue, GLPI: s.glpi, Publisher: s.Publisher, Uploads: s.uploads(),
		Credentials: s.credentials, Proxies: s.proxies(), Logger: s.Logger,
		Now:            func() time.Time { return s.Now() },
		PasswordHashes: s.PasswordHashes, PasswordParams: s.PasswordParams,
		SendsMail: s.SendsMail,
	}
	s.portal.Register(func(pattern string, h http.HandlerFunc) { s.route(mux, pattern, h) })
}
