package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/cli"
)

// TestTLS serves HTTPS with a certificate the client trusts, as a GLPI
// host whose CA store holds the provider's CA would.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "glpinet.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	m := &Main{Addr: "127.0.0.1:0", TLSCert: certPath, TLSKey: keyPath, Store: storeFlags{data: filepath.Join(dir, "data")}}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(m.URL() + "/api/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("status %d over TLS %v", resp.StatusCode, resp.TLS != nil)
	}

	// Portal cookies are Secure over HTTPS.
	resp, err = c.Get(m.URL() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %s over HTTPS: Secure %v HttpOnly %v SameSite %v", ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Fatal("the login page set no CSRF cookie")
	}

	// Through a plain HTTP CONNECT proxy, as GLPI's proxy settings make it go.
	var tunnels atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() { io.Copy(up, buf); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	viaProxy := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	g := &client.GLPI{BaseURL: m.URL(), HTTP: viaProxy, Version: "10.0.16", InstallMode: "TARBALL", Lang: "en"}
	if !g.Available(t.Context(), "/api/ping") {
		t.Fatal("not reachable through the CONNECT proxy")
	}
	if tunnels.Load() == 0 {
		t.Fatal("the request did not go through the proxy")
	}

	bad := &Main{Addr: "127.0.0.1:0", TLSCert: certPath, Store: storeFlags{data: filepath.Join(dir, "data2")}}
	if err := bad.Open(t.Context()); err == nil {
		bad.Close()
		t.Fatal("a certificate without its key was accepted")
	}
	bad.Close()
}

// TestTLSReloadSIGHUP replaces --tls-cert and --tls-key under a running
// server and sends it SIGHUP (the file poll is set to an hour, so only the
// signal can have done it): new connections get the new certificate, a
// kept-alive one goes on working, the expiry metric follows.
func TestTLSReloadSIGHUP(t *testing.T) {
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	issue := func(serial int64, life time.Duration) time.Time {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "glpinet.test"},
			DNSNames: []string{"glpinet.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(life).Truncate(time.Second),
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		// Key first, each renamed into place, as the documentation says.
		os.WriteFile(keyPath+".new", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
		os.Rename(keyPath+".new", keyPath)
		os.WriteFile(certPath+".new", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		os.Rename(certPath+".new", certPath)
		return tmpl.NotAfter
	}
	first := issue(10, 60*24*time.Hour)

	logs := &syncBuffer{}
	m := &Main{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", TLSCert: certPath, TLSKey: keyPath, CertCheckInterval: time.Hour,
		Store: storeFlags{data: filepath.Join(dir, "data")}, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	serial := func(c *http.Client) (int64, bool) {
		t.Helper()
		reused := false
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(),
			&httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}), "GET", m.URL()+"/api/ping", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), reused
	}
	kept := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer kept.CloseIdleConnections()
	if s, _ := serial(kept); s != 10 {
		t.Fatalf("serial %d, want 10", s)
	}
	if got := scrapeMetric(t, m.MetricsURL(), `glpinet_tls_certificate_expiry_timestamp_seconds{name="glpinet.test"}`); got != float64(first.Unix()) {
		t.Fatalf("expiry metric %v, want %d", got, first.Unix())
	}

	second := issue(11, 10*24*time.Hour)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fresh := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
		if s, _ := serial(fresh); s == 11 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload the certificate; logs:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s, reused := serial(kept); s != 10 || !reused {
		t.Fatalf("kept connection: serial %d reused %v, want 10 on the same connection", s, reused)
	}
	if got := scrapeMetric(t, m.MetricsURL(), `glpinet_tls_certificate_expiry_timestamp_seconds{name="glpinet.test"}`); got != float64(second.Unix()) {
		t.Fatalf("expiry metric after reload %v, want %d", got, second.Unix())
	}
	if !strings.Contains(logs.String(), "expires soon") || !strings.Contains(logs.String(), "reason=signal") {
		t.Fatalf("no reload or expiry warning logged:\n%s", logs)
	}
}

// TestRedirectTarget: where the plain listener sends browsers.
func TestRedirectTarget(t *testing.T) {
	for _, tc := range []struct{ public, port, host, uri, want string }{
		{"", "443", "glpinet.example", "/login?x=1", "https://glpinet.example/login?x=1"},
		{"", "443", "glpinet.example:80", "/", "https://glpinet.example/"},
		{"", "8443", "glpinet.example", "/keys", "https://glpinet.example:8443/keys"},
		{"", "443", "[2001:db8::1]:80", "/", "https://[2001:db8::1]/"},
		{"https://glpi-network.example.com/base/", "8443", "10.0.0.1", "/login?x=1", "https://glpi-network.example.com/base/login?x=1"},
		{"http://plain.example", "443", "glpinet.example", "/", "https://glpinet.example/"},
		{"", "443", "", "/", ""},
	} {
		h := &redirectHandler{publicURL: tc.public, httpsPort: tc.port}
		r := httptest.NewRequest("GET", tc.uri, nil)
		r.Host = tc.host
		if got := h.target(r); got != tc.want {
			t.Errorf("public %q port %s host %q %s: got %q, want %q", tc.public, tc.port, tc.host, tc.uri, got, tc.want)
		}
	}
}

// TestTLSSettingsRefused: contradictory TLS settings stop the start with a
// usage error, before anything opens.
func TestTLSSettingsRefused(t *testing.T) {
	for _, m := range []*Main{
		{TLSCert: "c.pem", TLSKey: "k.pem", ACME: ACMEConfig{Domains: []string{"a.example"}}},
		{RedirectAddr: ":80"},
		{ACME: ACMEConfig{Domains: []string{"https://a.example"}}},
		{ACME: ACMEConfig{Domains: []string{"192.0.2.1"}}},
		{ACME: ACMEConfig{Email: "ops@example.com"}},
		{TLSKey: "k.pem"},
	} {
		err := m.checkTLS()
		var usage *cli.UsageError
		if !errors.As(err, &usage) {
			t.Errorf("%+v: %v, want a usage error", m.ACME, err)
		}
	}
	if got := splitDomains(" A.example, ,b.example "); !slices.Equal(got, []string{"a.example", "b.example"}) {
		t.Errorf("splitDomains: %q", got)
	}
}
