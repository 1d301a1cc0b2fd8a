package http

import (
	"net/http"

	"github.com/glpinet/glpinet/http/httpx"
)

// ErrorStatus returns the HTTP status for an application error code.
func ErrorStatus(code string) int { return httpx.ErrorStatus(code) }

// Error writes err as JSON with the status its code maps to (the shape of
// httpx.Error, shared with the GLPI API). Internal errors are logged with
// the request id and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Error(w, r, s.Logger, loggedPath(r), err)
}

// writeJSON writes v with a status (see httpx.WriteJSON).
func writeJSON(w http.ResponseWriter, status int, v any) { httpx.WriteJSON(w, status, v) }

// marshal encodes v as JSON without escaping <, > and & (see
// httpx.Marshal).
func marshal(v any) []byte { return httpx.Marshal(v) }

// errorBody is the error shape, as the OpenAPI document describes it.
type errorBody = httpx.ErrorBody
