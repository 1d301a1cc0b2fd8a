package http

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/glpinet/glpinet"
)

// codes maps application error codes to HTTP statuses.
var codes = map[string]int{
	glpinet.ECONFLICT:       http.StatusConflict,
	glpinet.EINVALID:        http.StatusBadRequest,
	glpinet.ENOTFOUND:       http.StatusNotFound,
	glpinet.EUNAUTHORIZED:   http.StatusUnauthorized,
	glpinet.EFORBIDDEN:      http.StatusForbidden,
	glpinet.EUNAVAILABLE:    http.StatusServiceUnavailable,
	glpinet.ENOTIMPLEMENTED: http.StatusNotImplemented,
	glpinet.EINTERNAL:       http.StatusInternalServerError,
	glpinet.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	glpinet.EUNSUPPORTED:    http.StatusUnsupportedMediaType,
	glpinet.ETOOMANY:        http.StatusTooManyRequests,
}

// ErrorStatus returns the HTTP status for an application error code.
func ErrorStatus(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the one error shape of every JSON endpoint. It never has an
// is_valid field, so that GLPI does not cache an error as a verdict.
type errorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// Error writes err as JSON with the status its code maps to. Internal errors
// are logged with the request id and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := glpinet.ErrorCode(err), glpinet.ErrorMessage(err)
	if code == glpinet.EINTERNAL || code == glpinet.EUNAVAILABLE {
		s.Logger.Error("request failed", "request_id", RequestID(r.Context()), "path", loggedPath(r), "err", err)
	}
	writeJSON(w, ErrorStatus(code), errorBody{Code: code, Message: msg, RequestID: RequestID(r.Context())})
}

// writeJSON writes v with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b := marshal(v)
	if b == nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"Internal error."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// marshal encodes v as JSON without escaping <, > and & (the bodies are
// not HTML, and constraints like ">=10.0" must read as written); nil on
// failure.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	// A copy of exactly the right size: callers keep these bytes in caches,
	// and the buffer's spare capacity would stay allocated with them.
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
