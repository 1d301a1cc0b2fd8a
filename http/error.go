package http

import (
	"net/http"

	"github.com/glpinet/glpinet/http/httpx"
)

// ErrorStatus returns the HTTP status for an application error code.
func ErrorStatus(code string) int { return httpx.ErrorStatus(code) }

// Error writes the core's own errors (no route, a body over its limit, a
// panic): a portal page to browsers, the JSON error body to GLPI and API
// clients (see portal.Handler.Error). Internal errors are logged with the
// request id and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	if s.portal == nil { // Handler not called yet
		httpx.Error(w, r, s.Logger, httpx.LoggedPath(r), err)
		return
	}
	s.portal.Error(w, r, err)
}
