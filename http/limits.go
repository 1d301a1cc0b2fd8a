package http

import (
	"mime"
	"net/http"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// bodyRule is what one route accepts as a request body. Every route has
// one: a route nobody listed gets the rule of its method (see ruleFor).
type bodyRule struct {
	// max is the largest body in bytes; 0 accepts none.
	max int64
	// multipart accepts multipart/form-data, which the handler must stream
	// itself (see readUpload): nothing is ever spooled by ParseMultipartForm.
	multipart bool
	// raw accepts any content type: the body is the payload (an archive).
	raw bool
}

// Body limits, chosen per kind of route.
const (
	// anonymousFormLimit bounds the forms anyone can send (login, sign-up,
	// joining an account): a few fields.
	anonymousFormLimit = 16 << 10
	// formLimit bounds the portal's forms of a logged-in user (a plugin's
	// descriptions in two languages are the largest).
	formLimit = 256 << 10
	// jsonLimit bounds a management API request body.
	jsonLimit = 1 << 20
	// maxUpload bounds an archive uploaded through the portal or the API;
	// the publisher's own limits apply after it.
	maxUpload = 100 << 20
)

// bodyRules are the routes whose rule is not their method's default.
var bodyRules = map[string]bodyRule{
	"POST /login":            {max: anonymousFormLimit},
	"POST /signup":           {max: anonymousFormLimit},
	"POST /join/{code}":      {max: anonymousFormLimit},
	"POST /operator/plugins": {max: maxUpload, multipart: true},
	"POST /api/v1/plugins":   {max: maxUpload, raw: true},
}

// ruleFor returns the body rule of a route pattern ("METHOD /path").
func ruleFor(pattern string) bodyRule {
	if r, ok := bodyRules[pattern]; ok {
		return r
	}
	method, path, _ := strings.Cut(pattern, " ")
	switch {
	case method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE":
		if strings.HasPrefix(path, "/api/") {
			return bodyRule{max: jsonLimit}
		}
		return bodyRule{max: formLimit}
	default: // GET, HEAD, and the catch-all: no body
		return bodyRule{}
	}
}

// limitBody enforces rule before h runs: a declared length over the limit
// of a route that takes a body is refused at once (413), multipart where
// the route does not stream it is refused (415), and the body reader stops
// at the limit whatever the client declared (chunked bodies included).
func (s *Server) limitBody(rule bodyRule, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A route without a body never reads one: what a client sends
		// anyway is left unread (net/http then closes the connection), not
		// refused, as clients that send "{}" with a GET expect.
		if rule.max > 0 && r.ContentLength > rule.max {
			// Unread, the rest of the body is not worth keeping the
			// connection for.
			w.Header().Set("Connection", "close")
			s.Error(w, r, glpinet.Errorf(glpinet.ETOOLARGE, "The request body is larger than this address accepts (%d bytes).", rule.max))
			return
		}
		if !rule.raw && r.ContentLength != 0 {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" && !rule.multipart {
				w.Header().Set("Connection", "close")
				s.Error(w, r, glpinet.Errorf(glpinet.EUNSUPPORTED, "Send this form as application/x-www-form-urlencoded."))
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, rule.max)
		h.ServeHTTP(w, r)
	})
}

// uploads is where archives sent by clients are received.
func (s *Server) uploads() httpx.Uploads {
	return httpx.Uploads{Dir: s.TempDir, FieldBytes: formLimit}
}
