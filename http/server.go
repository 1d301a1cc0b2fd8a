// Package http is glpinetd's server core: listeners and their limits, the
// middleware (request ids, body limits, transfer rules, panics, metrics),
// errors, health and metrics, and the routes that mount the three surfaces,
// each a package with its own authentication: the GLPI Network contract an
// unmodified GLPI calls (http/glpiapi, the registration key), the
// management API (http/api, personal API tokens) and the web portal
// (http/portal, session cookies). What the core and the surfaces share is
// in http/httpx.
package http

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/glpiapi"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/http/portal"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// CatalogueSource returns the current catalogue snapshot.
type CatalogueSource = glpiapi.CatalogueSource

// Server holds what the handlers need. Fields are set by the caller (see
// cmd/glpinetd) before Handler is called.
type Server struct {
	Store glpinet.Store
	// Validator, Catalogue, Sightings, Downloads, ArchiveDir, SigningKey
	// and PublicURL are what the GLPI wire API serves from: see the fields
	// of the same names of glpiapi.Handler. Health, the portal and the
	// management API read some of them too.
	Validator  glpinet.Validator
	Catalogue  CatalogueSource
	Sightings  interface{ Add(glpinet.Sighting) }
	Downloads  interface{ Add(key string) }
	ArchiveDir string
	// Archives opens the archive files downloads serve; nil: those under
	// ArchiveDir (see glpiapi.Handler).
	Archives   glpiapi.ArchiveFiles
	SigningKey ed25519.PublicKey
	PublicURL  string
	// TrustForwarded uses X-Forwarded-Proto and X-Forwarded-Host, set by a
	// reverse proxy, to build download links when PublicURL is empty.
	TrustForwarded bool
	Logger         *slog.Logger
	// AccessLog logs a line per request at info level (method, path as
	// httpx.LoggedPath gives it, route, status, bytes, duration, client
	// address, request id); off, the line is logged at debug level.
	AccessLog bool
	Registry  *prometheus.Registry
	Now       func() time.Time

	// Publisher publishes archives uploaded through the portal; nil
	// disables uploads.
	Publisher glpinet.Publisher
	// PasswordHashes is how many argon2id hashes may be computed at once
	// (0: as many as fit in the memory budget, see newPasswordWork).
	PasswordHashes int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's address, when TrustForwarded is set (nil:
	// DefaultTrustedProxies).
	TrustedProxies []netip.Prefix
	// Transfer cuts off clients that send or read too slowly (zero:
	// DefaultTransferRules).
	Transfer TransferRules
	// TempDir is where request bodies being received are written (archive
	// uploads): a folder inside the data folder, private to the server.
	// Empty: the system's temporary folder.
	TempDir string
	// PasswordParams are the argon2id costs of new password hashes (zero:
	// auth.DefaultParams); tests lower them.
	PasswordParams auth.Params
	// SendsMail says that mails leave the outbox (--smtp is set): with
	// PublicURL, the portal and the API may then mail links (invitations).
	SendsMail bool
	// MailStatus is the mail state /readyz reports ("ok", "not
	// configured", "failing: …"); nil: "not configured".
	MailStatus func() string

	routes  []string // every pattern served, for the tests that keep docs and checks complete
	metrics *metrics
	glpi    *glpiapi.Handler // the GLPI wire API, built from the fields above
	portal  *portal.Handler  // the portal, which also writes the errors browsers see
	// credentials guards the lookups of API tokens and session cookies.
	credentials *httpx.Credentials
	// auditNotice is logAudit, made once (see glpinet.WithAuditNotice).
	auditNotice func(context.Context, glpinet.AuditEvent)
}

// MarketplacePrefixes are the two roots GLPI uses for the marketplace: the
// current one (10.0.8 and later) and the one of GLPI 9.5 to 10.0.7.
var MarketplacePrefixes = glpiapi.MarketplacePrefixes

// Handler returns the server's routes wrapped in its middleware.
func (s *Server) Handler() http.Handler {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(s.Registry)
	s.auditNotice = s.logAudit

	mux := http.NewServeMux()
	s.glpiRoutes(mux)
	s.route(mux, "GET /healthz", s.handleHealthz)
	s.route(mux, "GET /readyz", s.handleReadyz)
	s.credentials = &httpx.Credentials{TTL: portal.SessionTTL}
	s.portalRoutes(mux)
	s.apiRoutes(mux)
	s.route(mux, "/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "No such endpoint: %s %s.", r.Method, r.URL.Path))
	})
	return s.middleware(mux)
}

// MetricsHandler serves the Prometheus metrics. It is not among the
// routes of Handler: metrics tell who uses the server and how, so they are
// served on their own address (glpinetd's --metrics-addr, loopback by
// default), never to the GLPI instances of the internet. Call it after
// Handler.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{Registry: s.Registry}))
	return mux
}

// RequestID returns the request's id, as logged and sent in X-Request-Id.
func RequestID(ctx context.Context) string { return httpx.RequestID(ctx) }

// statusWriter records the status a handler wrote and the bytes of the
// body it sent.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom passes files on to the writer below (sendfile, deadlines).
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{w.ResponseWriter}, src)
	}
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware adds a request id, recovers panics, logs and counts requests.
// It never logs headers (they carry registration keys, API tokens and
// session cookies) nor query strings (a client may put anything there,
// secrets included, and the routes need none of it to be told apart); the
// path is the one httpx.LoggedPath gives, without invitation codes.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "\r\n") {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := httpx.WithRequestID(r.Context(), id)
		if !safeMethod(r.Method) {
			// Only requests that may change something write audit
			// events: GLPI's GETs do not pay for the context.
			ctx = glpinet.WithAuditNotice(ctx, s.auditNotice)
		}
		r = r.WithContext(ctx)
		// GLPI_NETWORK_SERVICES set with a trailing slash makes GLPI ask for
		// "//api/…"; the mux would answer with a redirect, which GLPI must
		// never get on registration endpoints. Serve the clean path instead.
		if strings.Contains(r.URL.Path, "//") {
			r.URL.Path = collapseSlashes(r.URL.Path)
			r.URL.RawPath = ""
		}
		w, r = s.withTransferRules(w, r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Logger.Error("panic in handler", "request_id", id, "panic", p, "path", httpx.LoggedPath(r))
				if sw.status == 0 {
					s.Error(sw, r, glpinet.Errorf(glpinet.EINTERNAL, "Internal error."))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, sw.status, elapsed)
			s.logRequest(r, route, sw, elapsed, id)
		}()
		next.ServeHTTP(sw, r)
	})
}

// logRequest writes the access log line: at info with AccessLog, else at
// debug. Attributes, not a formatted message, so that a JSON log keeps
// them as fields and the line costs no formatting when it is not written.
func (s *Server) logRequest(r *http.Request, route string, sw *statusWriter, elapsed time.Duration, id string) {
	level := slog.LevelDebug
	if s.AccessLog {
		level = slog.LevelInfo
	}
	ctx := r.Context()
	if !s.Logger.Enabled(ctx, level) {
		return
	}
	status := sw.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http sends 200
	}
	s.Logger.LogAttrs(ctx, level, "request",
		slog.String("method", r.Method),
		slog.String("path", httpx.LoggedPath(r)),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int64("bytes", sw.bytes),
		slog.Duration("duration", elapsed),
		slog.String("client", s.proxies().ClientIP(r).String()),
		slog.String("request_id", id))
}

// logAudit logs an operator's or a user's action at info, once the store
// committed its audit event: every surface's actions, logged in one place
// (the events' details never hold secrets).
func (s *Server) logAudit(ctx context.Context, e glpinet.AuditEvent) {
	s.Logger.LogAttrs(ctx, slog.LevelInfo, "audit",
		slog.String("action", e.Action),
		slog.String("actor", e.Actor),
		slog.String("subject", e.Subject),
		slog.String("details", e.Details),
		slog.String("request_id", httpx.RequestID(ctx)))
}

// safeMethod reports whether method is one that changes nothing (RFC 9110
// §9.2.1): the portal and the APIs change state only on the others, as
// their CSRF checks assume.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// collapseSlashes turns runs of slashes into one.
func collapseSlashes(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// route registers a handler function and remembers its pattern.
func (s *Server) route(mux *http.ServeMux, pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.routeHandler(mux, pattern, http.HandlerFunc(h))
}

// routeHandler registers a handler and remembers its pattern.
// Every route gets the body rule of its pattern (see ruleFor).
func (s *Server) routeHandler(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle(pattern, s.limitBody(ruleFor(pattern), h))
	s.routes = append(s.routes, pattern)
}

// Routes returns the patterns the server answers, once Handler was called.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }
