package http

import (
	"net/http"
	"strings"
	"time"

	"github.com/glpinet/glpinet/http/api"
)

// apiRoutes builds the management API from the server's fields and mounts
// it.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	h := &api.Handler{
		Store: s.Store, Catalogue: s.Catalogue, Publisher: s.Publisher, Uploads: s.uploads(),
		Credentials: s.credentials, Proxies: s.proxies(), BaseURL: s.glpi.BaseURL,
		MailBase: s.mailBase(),
		Logger:   s.Logger, Refused: s.metrics.refused,
		Now: func() time.Time { return s.Now() },
	}
	h.Register(func(pattern string, h http.HandlerFunc) { s.route(mux, pattern, h) })
}

// mailBase is the root of the links mails carry: the public URL when mails
// are sent, "" when a mailed link could not be built (no --public-url: a
// request's Host is chosen by its sender) or would never leave (no --smtp).
func (s *Server) mailBase() string {
	if !s.SendsMail {
		return ""
	}
	return strings.TrimRight(s.PublicURL, "/")
}
