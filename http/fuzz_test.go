package http

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// FuzzUploadName: whatever a client names its archive, the name kept is a
// plain file name of a known format, never a path.
func FuzzUploadName(f *testing.F) {
	for _, s := range []string{"glpi-foo-1.0.0.zip", "..", "/", ".", `..\..\x.zip`, "a/b/c.tar.gz", "x\x00.zip", strings.Repeat("a", 300) + ".zip"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := uploadName(raw)
		if err != nil {
			return
		}
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || len(name) > maxUploadName {
			t.Fatalf("uploadName(%q) = %q", raw, name)
		}
		if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("uploadName(%q) = %q has control characters", raw, name)
		}
	})
}

// FuzzClientIP: X-Forwarded-For is believed only from a trusted proxy,
// and the address taken is never a trusted proxy's own unless every hop
// is one.
func FuzzClientIP(f *testing.F) {
	f.Add("127.0.0.1:4321", "203.0.113.9", true)
	f.Add("198.51.100.1:80", "127.0.0.1", true)
	f.Add("127.0.0.1:1", "garbage, 10.0.0.1", true)
	f.Add("[::1]:1", "2001:db8::1, ::1", true)
	f.Fuzz(func(t *testing.T, remote, xff string, behind bool) {
		s := &Server{TrustForwarded: behind}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := s.clientIP(r)
		if !got.IsValid() {
			t.Fatalf("clientIP(%q, %q) is not an address", remote, xff)
		}
		peer := peerAddr(r)
		if (!behind || !s.trustedProxy(peer)) && got != peer {
			t.Fatalf("clientIP(%q, %q) = %v: a header believed from an untrusted peer %v", remote, xff, got, peer)
		}
		_ = clientKey(got)
		_ = netip.Addr.String(got)
	})
}
