package http

import (
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

// trustedProxy reports whether a is one of the configured reverse proxies.
func (s *Server) trustedProxy(a netip.Addr) bool { return s.proxies().TrustedProxy(a) }
