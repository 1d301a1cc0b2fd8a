package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The ACME tests run the real Pebble (Let's Encrypt's test CA, a go.mod
// tool) with real validation: its VA resolves the test's domain through a
// DNS server in the test that answers 127.0.0.1, then connects to
// glpinetd's own listeners for TLS-ALPN-01 (the HTTPS port) or HTTP-01
// (--redirect-addr).

const acmeTestDomain = "glpinet.test"

var (
	pebbleOnce sync.Once
	pebbleBin  string
	pebbleErr  error
)

// buildPebble returns Pebble's executable: "go tool -n" builds the go.mod
// tool once into the build cache and prints its path, so that nothing is
// left behind in a temporary folder.
func buildPebble(t *testing.T) string {
	t.Helper()
	pebbleOnce.Do(func() {
		out, err := exec.Command("go", "tool", "-n", "pebble").Output()
		if err != nil {
			pebbleErr = fmt.Errorf("go tool -n pebble: %v", err)
			if ee, ok := err.(*exec.ExitError); ok {
				pebbleErr = fmt.Errorf("%w\n%s", pebbleErr, ee.Stderr)
			}
			return
		}
		pebbleBin = strings.TrimSpace(string(out))
	})
	if pebbleErr != nil {
		t.Fatal(pebbleErr)
	}
	return pebbleBin
}

// freePort returns a loopback port nobody listens on, for the daemons
// whose port must be written in a configuration before they start.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serveDNS answers every A query with 127.0.0.1 and every other with no
// record, over TCP (which Pebble's resolver uses), until the test ends.
func serveDNS(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				for {
					var n uint16
					if binary.Read(c, binary.BigEndian, &n) != nil {
						return
					}
					q := make([]byte, n)
					if _, err := io.ReadFull(c, q); err != nil {
						return
					}
					a := dnsAnswer(q)
					if a == nil {
						return
					}
					binary.Write(c, binary.BigEndian, uint16(len(a)))
					c.Write(a)
				}
			}()
		}
	}()
	return l.Addr().String()
}

// dnsAnswer builds the reply to a one-question query (RFC 1035 §4.1).
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	if i+5 > len(q) {
		return nil
	}
	question := q[12 : i+5]
	qtype := binary.BigEndian.Uint16(q[i+1:])
	var r []byte
	r = append(r, q[0], q[1])       // ID
	r = append(r, 0x84|q[2]&1, 0)   // QR, AA, RD copied; NOERROR
	r = append(r, 0, 1, 0, 0, 0, 0) // QDCOUNT 1, ANCOUNT set below, NSCOUNT 0
	r = append(r, 0, 0)             // ARCOUNT 0
	r = append(r, question...)
	if qtype == 1 { // A
		r[7] = 1
		r = append(r, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return r
}

// pebble is a running Pebble.
type pebble struct {
	dir   string // https://…/dir
	mgmt  string // https://… management interface
	trust *x509.CertPool
	caPEM string // file of the CA that signed Pebble's own HTTPS certificate
	cmd   *exec.Cmd
	out   *syncBuffer
	done  chan struct{}
}

// startPebble runs Pebble validating TLS-ALPN-01 on tlsPort and HTTP-01 on
// httpPort of whatever dnsAddr resolves names to.
func startPebble(t *testing.T, tlsPort, httpPort int, dnsAddr string) *pebble {
	t.Helper()
	bin := buildPebble(t)
	dir := t.TempDir()
	// Pebble's own HTTPS certificate, from a CA made here: glpinetd gets
	// it with --acme-ca-roots, as it would a step-ca root.
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Pebble front CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "pebble"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	p := &pebble{caPEM: filepath.Join(dir, "front-ca.pem"), out: &syncBuffer{}, done: make(chan struct{})}
	writeFile(t, p.caPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	writeFile(t, filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	p.trust = x509.NewCertPool()
	p.trust.AddCert(caCert)

	listen, mgmt := freePort(t), freePort(t)
	cfg, _ := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress":           fmt.Sprintf("127.0.0.1:%d", listen),
		"managementListenAddress": fmt.Sprintf("127.0.0.1:%d", mgmt),
		"certificate":             filepath.Join(dir, "cert.pem"),
		"privateKey":              filepath.Join(dir, "key.pem"),
		"httpPort":                httpPort,
		"tlsPort":                 tlsPort,
		"ocspResponderURL":        "",
		"retryAfter":              map[string]int{"authz": 1, "order": 1},
		"profiles":                map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}})
	writeFile(t, filepath.Join(dir, "pebble.json"), cfg)
	p.dir = fmt.Sprintf("https://127.0.0.1:%d/dir", listen)
	p.mgmt = fmt.Sprintf("https://127.0.0.1:%d", mgmt)

	p.cmd = exec.Command(bin, "-config", filepath.Join(dir, "pebble.json"), "-dnsserver", dnsAddr)
	// No sleeps before validating, no nonces refused at random, no
	// authorizations reused: every order is validated, quickly.
	p.cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	c := p.client()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.Get(p.dir)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pebble did not start: %v\n%s", err, p.out)
		}
		select {
		case <-p.done:
			t.Fatalf("Pebble exited:\n%s", p.out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return p
}

func (p *pebble) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.trust}}}
}

func (p *pebble) stop() {
	p.cmd.Process.Kill()
	<-p.done
}

// roots returns the pool of Pebble's issuing root (its /roots/0).
func (p *pebble) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := p.client().Get(p.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("no root from Pebble: %s", b)
	}
	return pool
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// openACME starts Main with --acme-domain against p.
func openACME(t *testing.T, p *pebble, data string, port int, redirect string, logs io.Writer) *Main {
	t.Helper()
	m := &Main{Addr: fmt.Sprintf("127.0.0.1:%d", port), MetricsAddr: "127.0.0.1:0", RedirectAddr: redirect,
		ACME:   ACMEConfig{Domains: []string{acmeTestDomain}, Email: "ops@glpinet.test", Directory: p.dir, CARoots: p.caPEM},
		Store:  storeFlags{data: data},
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	return m
}

// handshake connects to m as a client of acmeTestDomain trusting roots,
// retrying while the certificate is being obtained, and returns the
// verified chain's leaf.
func handshake(t *testing.T, addr string, roots *x509.CertPool, logs fmt.Stringer) *x509.Certificate {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := &tls.Dialer{Config: &tls.Config{ServerName: acmeTestDomain, RootCAs: roots}}
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
		c, err := d.DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			st := c.(*tls.Conn).ConnectionState()
			c.Close()
			if len(st.VerifiedChains) == 0 {
				t.Fatal("no verified chain")
			}
			return st.PeerCertificates[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no certificate for %s: %v\nglpinetd:\n%s", acmeTestDomain, err, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// httpsClient reaches m as https://glpinet.test.
func httpsClient(m *Main, roots *x509.CertPool) *http.Client {
	addr := m.listener.Addr().String()
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
}

// TestACMETLSALPN obtains a certificate from Pebble over TLS-ALPN-01 on
// the HTTPS listener itself, serves it, and after a restart serves it
// from the cache with Pebble gone: no new order.
func TestACMETLSALPN(t *testing.T) {
	start := time.Now()
	port := freePort(t)
	p := startPebble(t, port, freePort(t), serveDNS(t))
	data := filepath.Join(t.TempDir(), "data")
	logs := &syncBuffer{}
	m := openACME(t, p, data, port, "", logs)
	defer m.Close()

	roots := p.roots(t)
	leaf := handshake(t, m.listener.Addr().String(), roots, logs)
	if err := leaf.VerifyHostname(acmeTestDomain); err != nil {
		t.Fatal(err)
	}
	// Nothing listens on Pebble's HTTP-01 port: TLS-ALPN-01 it was.
	if !strings.Contains(p.out.String(), "set VALID by completed challenge") {
		t.Fatalf("Pebble validated no challenge:\n%s", p.out)
	}
	resp, err := httpsClient(m, roots).Get("https://" + acmeTestDomain + "/api/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("ping: %d over %s", resp.StatusCode, resp.Proto)
	}
	// The start-up hint names the domain, which the certificate is for.
	if got, want := publicOr(m), fmt.Sprintf("https://%s:%d", acmeTestDomain, port); got != want {
		t.Errorf("hint URL %q, want %q", got, want)
	}
	// The cache folder holds private keys: owner only.
	if fi, err := os.Stat(filepath.Join(data, "acme")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache folder: %v %v", fi.Mode(), err)
	}
	// The metric says when it expires (Pebble's default profile: 90 days).
	if got := scrapeMetric(t, m.MetricsURL(), `glpinet_tls_certificate_expiry_timestamp_seconds{name="glpinet.test"}`); got != float64(leaf.NotAfter.Unix()) {
		t.Fatalf("expiry metric %v, want %d", got, leaf.NotAfter.Unix())
	}
	// A name outside --acme-domain gets no certificate (and no order).
	d := &tls.Dialer{Config: &tls.Config{ServerName: "other.test", RootCAs: roots}}
	if c, err := d.DialContext(t.Context(), "tcp", m.listener.Addr().String()); err == nil {
		c.Close()
		t.Fatal("a handshake for a name not in --acme-domain succeeded")
	}
	orders := strings.Count(p.out.String(), "Issued certificate serial")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart with the CA unreachable: the same certificate, from DATA/acme.
	p.stop()
	logs2 := &syncBuffer{}
	m2 := openACME(t, p, data, port, "", logs2)
	defer m2.Close()
	again := handshake(t, m2.listener.Addr().String(), roots, logs2)
	if again.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("after a restart: serial %v, want the cached %v", again.SerialNumber, leaf.SerialNumber)
	}
	if orders != 1 {
		t.Fatalf("Pebble issued %d certificates, want 1:\n%s", orders, p.out)
	}
	t.Logf("obtained, served and restarted from the cache in %v", time.Since(start).Round(time.Millisecond))
}

// TestACMEHTTP01 obtains the certificate over HTTP-01 on --redirect-addr
// (Pebble's TLS-ALPN-01 port points nowhere, so autocert falls back), and
// checks what that plain listener does with everything else. It goes
// through "glpinetd serve" and its flags, as an operator would.
func TestACMEHTTP01(t *testing.T) {
	httpPort, httpsPort := freePort(t), freePort(t)
	p := startPebble(t, freePort(t), httpPort, serveDNS(t))
	httpsAddr, redirectAddr := fmt.Sprintf("127.0.0.1:%d", httpsPort), fmt.Sprintf("127.0.0.1:%d", httpPort)
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--data", filepath.Join(t.TempDir(), "data"), "--addr", httpsAddr, "--metrics-addr", "127.0.0.1:0",
			"--acme-domain", acmeTestDomain, "--acme-email", "ops@glpinet.test", "--acme-directory", p.dir, "--acme-ca-roots", p.caPEM,
			"--redirect-addr", redirectAddr}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-exited; code != 0 {
			t.Errorf("glpinetd serve exited with %d:\n%s", code, &stderr)
		}
	}()
	leaf := handshake(t, httpsAddr, p.roots(t), logsAnd{&stderr, p.out})
	if err := leaf.VerifyHostname(acmeTestDomain); err != nil {
		t.Fatal(err)
	}
	// Nothing listens on Pebble's TLS-ALPN-01 port: HTTP-01 it was.
	if !strings.Contains(p.out.String(), "set VALID by completed challenge") {
		t.Fatalf("Pebble validated no challenge:\n%s", p.out)
	}
	if want := fmt.Sprintf("define('GLPI_NETWORK_SERVICES', 'https://%s:%d')", acmeTestDomain, httpsPort); !strings.Contains(stdout.String(), want) {
		t.Errorf("the start-up hint does not say %s:\n%s", want, &stdout)
	}

	plain := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(method, path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+redirectAddr+path, nil)
		req.Host = acmeTestDomain
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// Browsers are sent to HTTPS, on the HTTPS listener's port.
	resp, _ := get("GET", "/login?next=%2Fkeys", nil)
	want := fmt.Sprintf("https://%s:%d/login?next=%%2Fkeys", acmeTestDomain, httpsPort)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
		t.Fatalf("portal over HTTP: %d to %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// GLPI's calls are never redirected, nor answered with JSON GLPI
	// would cache as an invalid key.
	for _, path := range []string{"/api/registration/info", "/api/registration/", "/api/ping", "/api/marketplace/plugins", "/api/v1/me"} {
		resp, body := get("GET", path, map[string]string{"X-Registration-Key": "gnk_x", "User-Agent": "GLPI/10.0.16 (installation-mode:TARBALL)"})
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" || !strings.Contains(body, "HTTPS") || json.Valid([]byte(body)) {
			t.Fatalf("%s over HTTP: %d %q %q", path, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	if resp, _ := get("POST", "/login", nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST over HTTP: %d, want 400", resp.StatusCode)
	}
}

// logsAnd shows glpinetd's logs, then Pebble's.
type logsAnd struct{ glpinetd, pebble fmt.Stringer }

func (l logsAnd) String() string { return l.glpinetd.String() + "\nPebble:\n" + l.pebble.String() }

// scrapeMetric returns the value of one series from /metrics.
func scrapeMetric(t *testing.T, url, series string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range bytes.Lines(b) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(string(line)), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics", series)
	return 0
}
