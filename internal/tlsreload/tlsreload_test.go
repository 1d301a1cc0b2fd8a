package tlsreload

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA signs the certificates the tests rotate, so that one client
// trusts them all.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue returns a PEM certificate for 127.0.0.1 with the given serial and
// lifetime, and its PEM key.
func (ca *testCA) issue(t *testing.T, serial int64, life time.Duration) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "glpinet.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(life),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

// replace writes path the way certbot's deploy hooks and most tools do:
// a temporary file renamed over the old one.
func replace(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReloadKeepsConnections replaces the files under a running HTTPS
// server while a client holds a keep-alive connection: that connection
// keeps working, a new one is handed the new certificate; a broken pair
// then leaves the new certificate in place.
func TestReloadKeepsConnections(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	c1, k1 := ca.issue(t, 101, 90*24*time.Hour)
	replace(t, certPath, c1)
	replace(t, keyPath, k1)

	logs := &logBuffer{}
	var installed []int64
	var imu sync.Mutex
	r, err := New(certPath, keyPath, slog.New(slog.NewTextHandler(logs, nil)), func(c *tls.Certificate) {
		imu.Lock()
		installed = append(installed, c.Leaf.SerialNumber.Int64())
		imu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	hup := make(chan os.Signal, 1)
	watched := make(chan struct{})
	go func() { r.Watch(ctx, 20*time.Millisecond, hup); close(watched) }()
	defer func() { cancel(); <-watched }()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		TLSConfig: &tls.Config{GetCertificate: r.GetCertificate},
	}
	go srv.ServeTLS(l, "", "")
	defer srv.Close()
	url := "https://" + l.Addr().String() + "/"

	// One transport keeps its connection alive across requests; each
	// request says whether it reused it and which certificate it saw.
	keep := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}, MaxIdleConnsPerHost: 1}}
	defer keep.CloseIdleConnections()
	get := func(c *http.Client) (serial int64, reused bool) {
		t.Helper()
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(),
			&httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}), "GET", url, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
			t.Fatalf("body %q", b)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), reused
	}
	fresh := func() int64 {
		t.Helper()
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}, DisableKeepAlives: true}}
		s, _ := get(c)
		return s
	}
	waitFor := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for fresh() != want {
			if time.Now().After(deadline) {
				t.Fatalf("new connections never saw certificate %d; logs:\n%s", want, logs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	if s, _ := get(keep); s != 101 {
		t.Fatalf("first certificate %d, want 101", s)
	}

	// Replace both files: the watcher notices within a few polls.
	c2, k2 := ca.issue(t, 102, 90*24*time.Hour)
	replace(t, keyPath, k2)
	replace(t, certPath, c2)
	waitFor(102)
	if s, reused := get(keep); !reused || s != 101 {
		t.Fatalf("kept connection: reused %v, certificate %d; want the same connection with 101", reused, s)
	}

	// A half-written certificate: refused, the last good one stays, for
	// the watcher and for an explicit reload (SIGHUP) alike.
	errorsBefore := strings.Count(logs.String(), "TLS certificate not reloaded")
	replace(t, certPath, c2[:len(c2)/2])
	waitLog := func(what string, cond func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(logs.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not logged:\n%s", what, logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitLog("the broken file", func(l string) bool {
		return strings.Count(l, "TLS certificate not reloaded")-errorsBefore == 1
	})
	time.Sleep(100 * time.Millisecond) // more polls: the same broken file is not retried
	hup <- os.Interrupt
	waitLog("the signal", func(l string) bool { return strings.Contains(l, "reason=signal") })
	if err := r.Reload(); err == nil {
		t.Fatal("a truncated certificate loaded")
	}
	if s := fresh(); s != 102 {
		t.Fatalf("after a broken file: certificate %d, want 102 still", s)
	}
	if got := strings.Count(logs.String(), "TLS certificate not reloaded") - errorsBefore; got != 2 {
		t.Fatalf("%d reload errors logged, want 2 (the change once, the signal once); logs:\n%s", got, logs)
	}

	// A key that belongs to another certificate: refused as well.
	c3, _ := ca.issue(t, 103, 90*24*time.Hour)
	replace(t, certPath, c3)
	if err := r.Reload(); err == nil || !strings.Contains(err.Error(), "private key does not match") {
		t.Fatalf("mismatched key: %v", err)
	}
	if s := fresh(); s != 102 {
		t.Fatalf("after a mismatched key: certificate %d, want 102 still", s)
	}

	// Then a good pair again, expiring in a week: installed, and warned of.
	c4, k4 := ca.issue(t, 104, 7*24*time.Hour)
	replace(t, keyPath, k4)
	replace(t, certPath, c4)
	waitFor(104)
	if !strings.Contains(logs.String(), "expires soon") {
		t.Fatalf("no warning for a certificate expiring in a week; logs:\n%s", logs)
	}
	if s, reused := get(keep); !reused || s != 101 {
		t.Fatalf("kept connection after three changes: reused %v, certificate %d", reused, s)
	}
	imu.Lock()
	defer imu.Unlock()
	if want := []int64{101, 102, 104}; !slices.Equal(installed, want) {
		t.Fatalf("installed %v, want %v", installed, want)
	}
}

// TestNewFails: with no good pair at the start there is nothing to serve.
func TestNewFails(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t)
	c, _ := ca.issue(t, 1, time.Hour)
	_, k := ca.issue(t, 2, time.Hour)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	replace(t, certPath, c)
	replace(t, keyPath, k)
	if _, err := New(certPath, keyPath, nil, nil); err == nil {
		t.Fatal("a mismatched pair loaded")
	}
	if _, err := New(filepath.Join(dir, "missing.pem"), keyPath, nil, nil); err == nil {
		t.Fatal("a missing file loaded")
	}
}
