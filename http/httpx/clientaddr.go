package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// DefaultTrustedProxies are the reverse proxies whose X-Forwarded-For is
// believed when the server runs behind one and none were configured: a
// proxy on the same host.
var DefaultTrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// Proxies says which X-Forwarded-* headers to believe: none unless the
// server runs behind a reverse proxy (Trust), and then only from the
// proxies listed (nil: DefaultTrustedProxies).
type Proxies struct {
	Trust   bool
	Trusted []netip.Prefix
}

// ClientIP is the address of the client a request comes from: the peer,
// or, behind a trusted reverse proxy, the last address of X-Forwarded-For
// that is not itself a trusted proxy (the ones before it are the client's
// own claims, which anybody can forge).
func (p Proxies) ClientIP(r *http.Request) netip.Addr {
	peer := PeerAddr(r)
	if !p.Trust || !p.TrustedProxy(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := parseHop(strings.TrimSpace(parts[j]))
			if err != nil {
				return peer // a proxy we trust wrote garbage: count its own address
			}
			a = a.Unmap()
			if !p.TrustedProxy(a) {
				return a
			}
		}
	}
	return peer
}

// Forwarded reports whether the request's X-Forwarded-* headers are to be
// believed: behind a proxy, and from a trusted one.
func (p Proxies) Forwarded(r *http.Request) bool {
	return p.Trust && p.TrustedProxy(PeerAddr(r))
}

// TrustedProxy reports whether a is one of the configured reverse proxies.
func (p Proxies) TrustedProxy(a netip.Addr) bool {
	proxies := p.Trusted
	if proxies == nil {
		proxies = DefaultTrustedProxies
	}
	for _, pr := range proxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// PeerAddr is the address of the connection's other end.
func PeerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return a.Unmap()
}

// ClientKey is what per-address limits count on: the IPv4 address, or the
// /64 network of an IPv6 address (one subscriber commonly holds a whole
// /64, so counting single addresses would count nothing).
func ClientKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// parseHop reads an X-Forwarded-For entry: an address, or an address and
// a port as some proxies write it ("192.0.2.1:5678", "[2001:db8::1]:80").
func parseHop(h string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(h); err == nil {
		return a, nil
	}
	ap, err := netip.ParseAddrPort(h)
	return ap.Addr(), err
}
