package http

import (
	"net/http"
	"net/netip"

	"github.com/glpinet/glpinet/http/httpx"
)

// DefaultTrustedProxies are the reverse proxies whose X-Forwarded-For is
// believed when the server runs behind one and none were configured: a
// proxy on the same host.
var DefaultTrustedProxies = httpx.DefaultTrustedProxies

// proxies is the server's rule for X-Forwarded-* headers, as every
// surface applies it.
func (s *Server) proxies() httpx.Proxies {
	return httpx.Proxies{Trust: s.TrustForwarded, Trusted: s.TrustedProxies}
}

// clientIP is the address of the client a request comes from (see
// httpx.Proxies.ClientIP).
func (s *Server) clientIP(r *http.Request) netip.Addr { return s.proxies().ClientIP(r) }

// forwarded reports whether the request's X-Forwarded-* headers are to be
// believed: behind a proxy, and from a trusted one.
func (s *Server) forwarded(r *http.Request) bool { return s.proxies().Forwarded(r) }

// trustedProxy reports whether a is one of the configured reverse proxies.
func (s *Server) trustedProxy(a netip.Addr) bool { return s.proxies().TrustedProxy(a) }

// clientKey is what per-address limits count on (see httpx.ClientKey).
func clientKey(a netip.Addr) string { return httpx.ClientKey(a) }
