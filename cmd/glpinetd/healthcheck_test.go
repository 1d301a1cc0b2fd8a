package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthcheck(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"database":"ok"}`))
	}))
	defer ready.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("{\n  \"database\": \"unreachable\"\n}\n"))
	}))
	defer notReady.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	// HTTPS, the certificate httptest's (for 127.0.0.1 and example.com);
	// like an ACME server, it refuses a handshake for another name.
	tlsReady := httptest.NewUnstartedServer(ready.Config.Handler)
	tlsReady.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsReady.StartTLS()
	defer tlsReady.Close()
	cert := tlsReady.TLS.Certificates[0]
	tlsReady.TLS.Certificates = nil
	tlsReady.TLS.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if hello.ServerName != "glpinet.example.com" {
			return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
		}
		return &cert, nil
	}
	tlsAddr := strings.TrimPrefix(tlsReady.URL, "https://")
	// A port nothing listens on: one just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	tests := []struct {
		name     string
		args     []string
		env      string // GLPINET_ADDR
		acme     string // GLPINET_ACME_DOMAIN
		code     int
		stdout   string
		inStderr string
	}{
		{name: "ready", args: []string{"--url", ready.URL + "/readyz"}, code: 0, stdout: "ready\n"},
		{name: "from GLPINET_ADDR", env: strings.TrimPrefix(ready.URL, "http://"), code: 0, stdout: "ready\n"},
		{name: "not ready", args: []string{"--url", notReady.URL + "/readyz"}, code: 1,
			inStderr: `503 Service Unavailable { "database": "unreachable" }`},
		{name: "not found", args: []string{"--url", ready.URL + "/nothing"}, code: 1, inStderr: "404 Not Found"},
		{name: "ACME", env: tlsAddr, acme: "glpinet.example.com, other.example.com", code: 0, stdout: "ready\n"},
		{name: "TLS, wrong name", env: tlsAddr, acme: "other.example.com", code: 1, inStderr: "https://" + tlsAddr + "/readyz: "},
		{name: "nothing listening", env: closed, code: 1, inStderr: "connection refused"},
		{name: "too slow", args: []string{"--url", slow.URL, "--timeout", "100ms"}, code: 1, inStderr: "no answer within 100ms"},
		{name: "argument", args: []string{"extra"}, code: 2, inStderr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GLPINET_ADDR", tt.env)
			t.Setenv("GLPINET_TLS_CERT", "")
			t.Setenv("GLPINET_ACME_DOMAIN", tt.acme)
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(t.Context(), append([]string{"healthcheck"}, tt.args...), &stdout, &stderr)
			if code != tt.code || stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, stderr with %q",
					code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.inStderr)
			}
			if n := strings.Count(stderr.String(), "\n"); n > 1 {
				t.Errorf("reason on %d lines, want one: %q", n, stderr.String())
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestReadyURL(t *testing.T) {
	for _, tt := range []struct {
		addr string
		tls  bool
		want string
	}{
		{":8080", false, "http://127.0.0.1:8080/readyz"},
		{"0.0.0.0:9000", false, "http://127.0.0.1:9000/readyz"},
		{"[::]:8080", false, "http://[::1]:8080/readyz"},
		{"127.0.0.1:18080", true, "https://127.0.0.1:18080/readyz"},
		{"glpinet.internal:8443", true, "https://glpinet.internal:8443/readyz"},
		{"nonsense", false, "http://127.0.0.1:8080/readyz"},
	} {
		if got := readyURL(tt.addr, tt.tls); got != tt.want {
			t.Errorf("readyURL(%q, %v) = %q, want %q", tt.addr, tt.tls, got, tt.want)
		}
	}
}
