package httpx

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// FuzzClientIP: X-Forwarded-For is believed only from a trusted proxy,
// and the address taken is never a trusted proxy's own unless every hop
// is one.
func FuzzClientIP(f *testing.F) {
	f.Add("127.0.0.1:4321", "203.0.113.9", true)
	f.Add("198.51.100.1:80", "127.0.0.1", true)
	f.Add("127.0.0.1:1", "garbage, 10.0.0.1", true)
	f.Add("[::1]:1", "2001:db8::1, ::1", true)
	f.Fuzz(func(t *testing.T, remote, xff string, behind bool) {
		p := Proxies{Trust: behind}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := p.ClientIP(r)
		if !got.IsValid() {
			t.Fatalf("clientIP(%q, %q) is not an address", remote, xff)
		}
		peer := PeerAddr(r)
		if (!behind || !p.TrustedProxy(peer)) && got != peer {
			t.Fatalf("clientIP(%q, %q) = %v: a header believed from an untrusted peer %v", remote, xff, got, peer)
		}
		_ = ClientKey(got)
		_ = netip.Addr.String(got)
	})
}
