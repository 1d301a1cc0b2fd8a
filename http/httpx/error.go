// Package httpx holds what the server core (package http) and the surfaces
// it mounts (http/glpiapi, http/api, http/portal) share: the JSON error
// shape and whether a client wants HTML instead, request ids and paths safe
// to log, the client's address behind trusted proxies, per-address budgets
// and the credentials guard, streamed uploads, and the answer language. A
// surface cannot import the core, which mounts it, so these live below
// both.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

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

// ErrorBody is the one error shape of every JSON endpoint. It never has an
// is_valid field, so that GLPI does not cache an error as a verdict.
type ErrorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// Error writes err as JSON with the status its code maps to. Internal
// errors are logged on log with the request id and path (the caller's
// choice: a path may hold a secret) and shown only as a generic message.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, path string, err error) {
	code, msg := glpinet.ErrorCode(err), glpinet.ErrorMessage(err)
	if code == glpinet.EINTERNAL || code == glpinet.EUNAVAILABLE {
		log.Error("request failed", "request_id", RequestID(r.Context()), "path", path, "err", err)
	}
	WriteJSON(w, ErrorStatus(code), ErrorBody{Code: code, Message: msg, RequestID: RequestID(r.Context())})
}

// WriteJSON writes v with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b := Marshal(v)
	if b == nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"Internal error."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// Marshal encodes v as JSON without escaping <, > and & (the bodies are
// not HTML, and constraints like ">=10.0" must read as written); nil on
// failure.
func Marshal(v any) []byte {
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

// RetryAfter tells the client when to try again, in whole seconds (at
// least one).
func RetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second))))
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id the core's middleware
// chose (and sent in X-Request-Id).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request's id, as logged and sent in X-Request-Id.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
