package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/publish"
)

// nginxConf is docs/reverse-proxy.md's nginx example, with the paths and
// ports of a test: keep the two alike.
const nginxConf = `{{if .Root}}user root;
{{end}}worker_processes 1;
error_log {{.Dir}}/error.log warn;
pid {{.Dir}}/nginx.pid;
events { worker_connections 256; }
http {
    access_log {{.Dir}}/access.log;
    client_body_temp_path {{.Dir}}/body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;

    upstream glpinetd {
        server {{.Upstream}};
        keepalive 16;
    }
    server {
        listen {{.Listen}} ssl;
        server_name glpinet.example.com;
        ssl_certificate {{.Dir}}/cert.pem;
        ssl_certificate_key {{.Dir}}/key.pem;

        # Proxy settings for every location below.
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
        proxy_buffering off;
        proxy_read_timeout 300s;
        proxy_send_timeout 300s;
        client_body_timeout 10s;
        send_timeout 30s;

        location / {
            proxy_pass http://glpinetd;
        }
        # Archive uploads (management API, operator portal): 100 MiB,
        # streamed to glpinetd as they arrive.
        location = /api/v1/plugins {
            client_max_body_size 100m;
            proxy_request_buffering off;
            proxy_pass http://glpinetd;
        }
        location = /operator/plugins {
            client_max_body_size 100m;
            proxy_request_buffering off;
            proxy_pass http://glpinetd;
        }
    }
}
`

// startNginx runs nginx in front of upstream on a free loopback port,
// with TLS (a certificate made here), until the test ends. It returns the
// port and the certificate pool that trusts it.
func startNginx(t *testing.T, listen, upstream string) *x509.CertPool {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			t.Fatal("nginx is missing: apt-get install -y nginx-light")
		}
		bin = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	pool := writeCert(t, dir)
	conf := filepath.Join(dir, "nginx.conf")
	var b bytes.Buffer
	template.Must(template.New("").Parse(nginxConf)).Execute(&b, map[string]any{
		"Dir": dir, "Listen": listen, "Upstream": upstream, "Root": os.Geteuid() == 0})
	if err := os.WriteFile(conf, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-g", "daemon off;")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful stop of this nginx only
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s", out.String(), errLog)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", listen, time.Second)
		if err == nil {
			c.Close()
			return pool
		}
		select {
		case err := <-exited:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx stopped: %v\n%s\n%s", err, out.String(), errLog)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %s", listen)
		}
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 into dir
// (cert.pem, key.pem) and returns a pool that trusts it.
func writeCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "glpinet test proxy"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// freeLoopbackPort returns "127.0.0.1:PORT" of a port free a moment ago.
func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestBehindNginx runs a real nginx (TLS, the configuration of
// docs/reverse-proxy.md) in front of a real glpinetd started with
// --behind-proxy --trusted-proxies 127.0.0.1 --public-url. Clients connect
// from different loopback addresses (127.0.0.2, 127.0.0.3), as different
// machines would: each gets its own budget of unknown keys, forging
// X-Forwarded-For does not escape it, the access log names the real
// client, the GLPI headers go through both ways, and a 40 MiB archive is
// published and downloaded through the proxy byte for byte, from a link
// built from --public-url.
func TestBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx and moves 80 MiB")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	listen := freeLoopbackPort(t)
	public := "https://" + listen
	ts := startServerWith(t, func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher) {
		for _, key := range []string{"alpha", "bravo", "charlie"} {
			publishOrFail(t, ctx, pub, testkit.Plugin{Key: key, Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.0.99"}, glpinet.PublishOptions{})
		}
	}, func(m *Main) {
		m.BehindProxy, m.PublicURL, m.AccessLog = true, public, true
		m.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	pool := startNginx(t, listen, strings.TrimPrefix(ts.URL(), "http://"))

	// A client on its own loopback address, as another machine.
	clientFrom := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		return &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: d.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: false}}
	}
	a, b := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	get := func(c *http.Client, path string, header http.Header) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", public+path, nil)
		req.Header.Set("User-Agent", "GLPI/10.0.16 (installation-mode:TARBALL)")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	// X-Registration-Key goes through; the access log shows the client.
	resp, body := get(a, "/api/registration/info", http.Header{"X-Registration-Key": {ts.keys["advanced"]}, "X-Request-Id": {"through-nginx"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"is_valid":true`) {
		t.Fatalf("/info through nginx: %d %s", resp.StatusCode, body)
	}
	eventually(t, func() error {
		for line := range strings.Lines(ts.logs.String()) {
			if strings.Contains(line, "msg=request") && strings.Contains(line, "request_id=through-nginx") {
				if !strings.Contains(line, "client=127.0.0.2") {
					return fmt.Errorf("access line without the real client: %s", line)
				}
				return nil
			}
		}
		return fmt.Errorf("no access line for the request")
	})

	// Each forwarded client has its own budget of unknown keys; forging
	// X-Forwarded-For to nginx does not reset it.
	unknown := func(c *http.Client, header http.Header) int {
		raw, err := glpinet.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{"X-Registration-Key": {raw}}
		for k, v := range header {
			h[k] = v
		}
		resp, _ := get(c, "/api/registration/info", h)
		return resp.StatusCode
	}
	counts := map[int]int{}
	for range 45 {
		counts[unknown(a, nil)]++
	}
	if counts[http.StatusTooManyRequests] < 10 || counts[http.StatusOK] > 35 {
		t.Errorf("45 made-up keys from 127.0.0.2 through nginx: %v, want about 30 answers then 429", counts)
	}
	for i := range 5 {
		if s := unknown(a, http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}}); s != http.StatusTooManyRequests {
			t.Errorf("127.0.0.2 forging X-Forwarded-For: %d, want 429", s)
		}
	}
	if s := unknown(b, nil); s != http.StatusOK {
		t.Errorf("127.0.0.3 after 127.0.0.2 spent its budget: %d, want 200", s)
	}

	// Marketplace paging: X-Range in, Content-Range and Accept-Range out.
	resp, body = get(b, "/api/marketplace/plugins", http.Header{"X-Registration-Key": {ts.keys["advanced"]}, "X-Range": {"0-1"}})
	var page []struct{ Key string }
	json.Unmarshal(body, &page)
	if resp.StatusCode/100 != 2 || len(page) != 2 || resp.Header.Get("Content-Range") != "0-1/3" || resp.Header.Get("Accept-Range") != "model 3" {
		t.Errorf("page 0-1 through nginx: %d, %d plugins, Content-Range %q, Accept-Range %q",
			resp.StatusCode, len(page), resp.Header.Get("Content-Range"), resp.Header.Get("Accept-Range"))
	}

	// A 40 MiB archive, published through the proxy by the management
	// API, downloaded through it byte for byte.
	op := &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator}
	op.PasswordHash, _ = auth.HashPassword("operator password", auth.Params{Memory: 64, Time: 1, Threads: 1})
	actx := glpinet.WithActor(ctx, "test")
	if err := ts.DB.CreateUser(actx, op); err != nil {
		t.Fatal(err)
	}
	token, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := ts.DB.CreateToken(actx, &glpinet.APIToken{UserID: op.ID, Name: "ops", Hash: auth.HashToken(token),
		Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin, glpinet.ScopePublish}}); err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 40<<20)
	rand.Read(noise)
	archive := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "bigone", Version: "2.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.0.99",
		Files: map[string]string{"data/blob.bin": string(noise)}})
	want := readFile(t, archive)
	api := &client.API{BaseURL: public, Token: token, HTTP: clientFrom("127.0.0.2")}
	start := time.Now()
	if _, err := api.Publish(ctx, filepath.Base(archive), bytes.NewReader(want), glpinet.PublishOptions{}); err != nil {
		t.Fatalf("publishing %d bytes through nginx: %v", len(want), err)
	}
	t.Logf("published %d MiB through nginx in %v", len(want)>>20, time.Since(start).Round(time.Millisecond))

	var link string
	eventually(t, func() error {
		_, body := get(b, "/api/marketplace/plugins", http.Header{"X-Registration-Key": {ts.keys["advanced"]}})
		var all []struct {
			Key      string
			Versions []struct {
				Num         string
				DownloadURL *string `json:"download_url"`
			}
		}
		json.Unmarshal(body, &all)
		for _, p := range all {
			if p.Key == "bigone" && len(p.Versions) > 0 && p.Versions[0].DownloadURL != nil {
				link = *p.Versions[0].DownloadURL
				return nil
			}
		}
		return fmt.Errorf("bigone not in the catalogue yet")
	})
	if !strings.HasPrefix(link, public+"/api/marketplace/") {
		t.Fatalf("download link %q, want it under --public-url %s", link, public)
	}
	start = time.Now()
	resp, got := get(b, strings.TrimPrefix(link, public), http.Header{"X-Registration-Key": {ts.keys["advanced"]}, "X-Request-Id": {"big-download"}})
	if resp.StatusCode != 200 || sha256.Sum256(got) != sha256.Sum256(want) {
		t.Fatalf("download through nginx: %d, %d bytes, want %d identical", resp.StatusCode, len(got), len(want))
	}
	t.Logf("downloaded %d MiB through nginx in %v", len(got)>>20, time.Since(start).Round(time.Millisecond))
	eventually(t, func() error {
		for line := range strings.Lines(ts.logs.String()) {
			if strings.Contains(line, "request_id=big-download") && strings.Contains(line, "msg=request") {
				if !strings.Contains(line, fmt.Sprintf("bytes=%d ", len(want))) || !strings.Contains(line, "client=127.0.0.3") {
					return fmt.Errorf("download's access line: %s", line)
				}
				return nil
			}
		}
		return fmt.Errorf("no access line for the download")
	})
}
