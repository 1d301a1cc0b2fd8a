package doctor

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/cache"
	ghttp "github.com/glpinet/glpinet/http"
	"github.com/glpinet/glpinet/internal/proxytest"
	"github.com/glpinet/glpinet/sqlite"
)

// server starts the real glpinet GLPI API over TLS on SQLite, with one
// account and its key.
func server(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &glpinet.Account{Name: "ACME"}
	db.CreateAccount(ctx, a)
	key, _ := glpinet.GenerateKey()
	db.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(key), Prefix: glpinet.KeyDisplayPrefix(key)})
	cat := cache.NewCatalogue(db, time.Now)
	if err := cat.Load(ctx); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &ghttp.Server{Store: db, Validator: cache.NewValidator(db, time.Now, logger), Catalogue: cat, Logger: logger}
	ts := httptest.NewUnstartedServer(s.Handler())
	// The TLS check closes connections after the handshake: not errors.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, key
}

func byID(results []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range results {
		m[r.ID] = r
	}
	return m
}

func roots(ts *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ts.Certificate())
	return p
}

func TestHealthyServer(t *testing.T) {
	ts, key := server(t)
	target := &Target{Server: ts.URL, Key: key, UID: "u", GLPIVersion: "10.0.16", RootCAs: roots(ts), Timeout: 5 * time.Second}
	rs := byID(Run(t.Context(), target, Checks()))
	for id, want := range map[string]Status{"url": OK, "dns": OK, "tcp": OK, "proxy": Skip, "tls": OK, "ping": OK, "clock": OK,
		"glpi-version": OK, "key-format": OK, "key": OK, "large-response": Skip, "latency": OK} {
		if rs[id].Status != want {
			t.Errorf("%s: %s (%s), want %s", id, rs[id].Status, rs[id].Detail, want)
		}
	}
	if !strings.Contains(rs["key"].Detail, "registered by ACME") {
		t.Errorf("key detail: %q", rs["key"].Detail)
	}
	if Worst(Run(t.Context(), target, Checks())) != OK {
		t.Error("Worst of a healthy run is not OK")
	}
}

func TestUntrustedCertificate(t *testing.T) {
	ts, key := server(t)
	rs := byID(Run(t.Context(), &Target{Server: ts.URL, Key: key, Timeout: 5 * time.Second}, Checks()))
	if r := rs["tls"]; r.Status != Fail || !strings.Contains(r.Detail, "not signed by a trusted authority") || !strings.Contains(r.Remedy, "trust store") {
		t.Fatalf("tls: %+v", r)
	}
	if rs["ping"].Status != Skip || rs["key"].Status != Skip {
		t.Fatalf("checks after a TLS failure should be skipped: ping %s, key %s", rs["ping"].Status, rs["key"].Status)
	}
}

func TestKeyProblems(t *testing.T) {
	ts, key := server(t)
	typo := key[:10] + map[bool]string{true: "b", false: "a"}[key[10] == 'a'] + key[11:]
	other, _ := glpinet.GenerateKey()
	for _, tc := range []struct {
		key, check, want string
	}{
		{"", "key-format", "no registration key"},
		{typo, "key-format", "typo"},
		{other, "key", "UNKNOWN"},
	} {
		rs := byID(Run(t.Context(), &Target{Server: ts.URL, Key: tc.key, RootCAs: roots(ts), Timeout: 5 * time.Second}, Checks()))
		if r := rs[tc.check]; r.Status != Fail || !strings.Contains(r.Detail, tc.want) || r.Remedy == "" {
			t.Errorf("key %q: %s = %+v, want a failure mentioning %q", tc.key, tc.check, r, tc.want)
		}
	}
}

// connectProxy is a CONNECT proxy with basic authentication.
func connectProxy(t *testing.T, user, pass string) *url.URL {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
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
	t.Cleanup(p.Close)
	u, _ := url.Parse(p.URL)
	return u
}

func TestProxy(t *testing.T) {
	ts, key := server(t)
	proxy := connectProxy(t, "glpi", "p@ss:w/rd")
	good := *proxy
	good.User = url.UserPassword("glpi", "p@ss:w/rd")
	rs := byID(Run(t.Context(), &Target{Server: ts.URL, Key: key, Proxy: &good, RootCAs: roots(ts), Timeout: 5 * time.Second}, Checks()))
	for _, id := range []string{"proxy", "tls", "ping", "key"} {
		if rs[id].Status != OK {
			t.Errorf("through the proxy, %s: %s (%s)", id, rs[id].Status, rs[id].Detail)
		}
	}
	bad := *proxy
	bad.User = url.UserPassword("glpi", "wr@ng")
	rs = byID(Run(context.Background(), &Target{Server: ts.URL, Key: key, Proxy: &bad, RootCAs: roots(ts), Timeout: 5 * time.Second}, Checks()))
	if r := rs["proxy"]; r.Status != Fail || !strings.Contains(r.Detail, "407") || !strings.Contains(r.Remedy, "GLPI 10.0") {
		t.Fatalf("wrong proxy password: %+v", r)
	}
}

// TestTinyproxy goes through a real tinyproxy with basic authentication,
// as a GLPI host behind a corporate proxy does.
func TestTinyproxy(t *testing.T) {
	ts, key := server(t)
	pass := proxytest.AuthPasswordT(t)
	tp := proxytest.StartT(t, proxytest.Config{User: "glpi", Password: pass})
	run := func(server string, proxy *url.URL) map[string]Result {
		return byID(Run(t.Context(), &Target{Server: server, Key: key, Proxy: proxy, RootCAs: roots(ts), Timeout: 5 * time.Second}, Checks()))
	}

	rs := run(ts.URL, tp.URL("glpi", pass))
	for _, id := range []string{"proxy", "tls", "ping", "key"} {
		if rs[id].Status != OK {
			t.Errorf("through %s, %s: %s (%s)", tp.Version, id, rs[id].Status, rs[id].Detail)
		}
	}
	if !strings.HasPrefix(rs["proxy"].Detail, "CONNECT ") {
		t.Errorf("an https server is reached through a CONNECT tunnel: %q", rs["proxy"].Detail)
	}

	// tinyproxy answers 401 (not 407) to wrong credentials.
	rs = run(ts.URL, tp.URL("glpi", "wr@ng:pw"))
	if r := rs["proxy"]; r.Status != Fail || !strings.Contains(r.Detail, "refuses the credentials (401)") ||
		!strings.Contains(r.Remedy, "proxy_passwd") || !strings.Contains(r.Remedy, "GLPI 10.0") {
		t.Errorf("wrong proxy password: %+v", r)
	}
	if rs["tls"].Status != Skip || rs["key"].Status != Skip {
		t.Errorf("checks after a proxy failure should be skipped: tls %s, key %s", rs["tls"].Status, rs["key"].Status)
	}

	rs = run(ts.URL, tp.URL("", ""))
	if r := rs["proxy"]; r.Status != Fail || !strings.Contains(r.Detail, "requires credentials (407)") || !strings.Contains(r.Remedy, "proxy_user") {
		t.Errorf("no proxy credentials: %+v", r)
	}
}

// TestTinyproxyPlainHTTP checks that a plain HTTP server is reached through
// the proxy in absolute form, as cURL does without HTTPPROXYTUNNEL, not
// with CONNECT, which this tinyproxy (like squid's default configuration)
// allows to port 443 only.
func TestTinyproxyPlainHTTP(t *testing.T) {
	ts, key := server(t)
	plain := httptest.NewServer(ts.Config.Handler)
	t.Cleanup(plain.Close)
	pass := proxytest.AuthPasswordT(t)
	tp := proxytest.StartT(t, proxytest.Config{User: "glpi", Password: pass, ConnectPorts: []int{443}})

	rs := byID(Run(t.Context(), &Target{Server: plain.URL, Key: key, Proxy: tp.URL("glpi", pass), Timeout: 5 * time.Second}, Checks()))
	for _, id := range []string{"proxy", "ping", "key", "latency"} {
		if rs[id].Status != OK {
			t.Errorf("through %s, %s: %s (%s)", tp.Version, id, rs[id].Status, rs[id].Detail)
		}
	}
	if want := "GET " + plain.URL + "/api/ping through "; !strings.HasPrefix(rs["proxy"].Detail, want) {
		t.Errorf("proxy detail %q, want it to start with %q", rs["proxy"].Detail, want)
	}
	if !strings.Contains(tp.Log(), "GET "+plain.URL+"/api/ping") || strings.Contains(tp.Log(), "): CONNECT ") {
		t.Errorf("tinyproxy saw CONNECT requests or no absolute-form GET:\n%s", tp.Log())
	}

	rs = byID(Run(t.Context(), &Target{Server: plain.URL, Key: key, Proxy: tp.URL("glpi", "wr@ng:pw"), Timeout: 5 * time.Second}, Checks()))
	if r := rs["proxy"]; r.Status != Fail || !strings.Contains(r.Detail, "refuses the credentials (401)") || !strings.Contains(r.Remedy, "GLPI 10.0") {
		t.Errorf("wrong proxy password: %+v", r)
	}
	if rs["ping"].Status != Skip {
		t.Errorf("ping after a proxy failure: %+v", rs["ping"])
	}
}

func TestBadURL(t *testing.T) {
	rs := byID(Run(t.Context(), &Target{Server: "glpinet.example.com"}, Checks()))
	if rs["url"].Status != Fail || rs["dns"].Status != Skip {
		t.Fatalf("url %+v, dns %+v", rs["url"], rs["dns"])
	}
	if Worst(Run(t.Context(), &Target{Server: "ftp://x"}, Checks())) != Fail {
		t.Fatal("Worst")
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		380 * time.Microsecond:  "0.4 ms",
		2500 * time.Microsecond: "2.5 ms",
		42 * time.Millisecond:   "42 ms",
		1500 * time.Millisecond: "1.5 s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// only returns the checks of cs with the given IDs, in cs's order.
func only(cs []Check, ids ...string) []Check {
	var out []Check
	for _, c := range cs {
		if slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// TestDNSFailureSkipsWhatFollows: a name that does not resolve fails once;
// every check that needs the connection is skipped and names that
// failure, none fails in its turn.
func TestDNSFailureSkipsWhatFollows(t *testing.T) {
	key, _ := glpinet.GenerateKey()
	rs := Run(t.Context(), &Target{Server: "https://glpinet.invalid", Key: key, GLPIVersion: "10.0.16", Timeout: 5 * time.Second}, Checks())
	if r := byID(rs)["dns"]; r.Status != Fail {
		t.Fatalf("dns: %+v", r)
	}
	for _, r := range rs {
		switch r.ID {
		case "url", "glpi-version", "key-format":
			if r.Status != OK {
				t.Errorf("%s does not need the network: %+v", r.ID, r)
			}
		case "dns":
		default:
			if r.Status != Skip || r.Cause != "dns" || !strings.HasPrefix(r.Detail, "skipped: name resolution failed") {
				t.Errorf("%s after a DNS failure: %+v", r.ID, r)
			}
		}
	}
}

// TestTCPFailureSkipsWhatFollows: nothing listens; the checks after the
// connection name the TCP failure.
func TestTCPFailureSkipsWhatFollows(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	key, _ := glpinet.GenerateKey()
	rs := byID(Run(t.Context(), &Target{Server: "https://" + addr, Key: key, Timeout: 5 * time.Second}, Checks()))
	if rs["tcp"].Status != Fail {
		t.Fatalf("tcp: %+v", rs["tcp"])
	}
	for _, id := range []string{"proxy", "tls", "ping", "clock", "key", "large-response", "latency"} {
		if r := rs[id]; r.Status != Skip || r.Cause != "tcp" || !strings.Contains(r.Detail, "skipped: TCP connection failed") {
			t.Errorf("%s after a TCP failure: %+v", id, r)
		}
	}
}

// installation stands for glpinet's checks of the GLPI installation: the
// database fails or answers, and the checks that read from it need it.
func installation(databaseOK bool, key string, proxy *url.URL) []Check {
	return []Check{
		{ID: DatabaseCheck, Title: "GLPI database", Run: func(context.Context, *Target, *Env) Result {
			if databaseOK {
				return Result{Status: OK}
			}
			return Result{Status: Fail, Detail: "Cannot connect"}
		}},
		{ID: StoredKeyCheck, Title: "Stored registration key", Needs: []Need{{ID: DatabaseCheck, Why: "the key is read from it"}},
			Run: func(_ context.Context, t *Target, _ *Env) Result { t.Key = key; return Result{Status: OK} }},
		{ID: ProxySettingsCheck, Title: "GLPI's proxy settings", Needs: []Need{{ID: DatabaseCheck}},
			Run: func(_ context.Context, t *Target, _ *Env) Result { t.Proxy = proxy; return Result{Status: OK} }},
	}
}

// TestDatabaseFailureSkipsProxyAndKey: without GLPI's database, its proxy
// settings and its key are unknown: the proxy and key checks are skipped
// and say why, while the path straight to the server is still checked.
func TestDatabaseFailureSkipsProxyAndKey(t *testing.T) {
	ts, key := server(t)
	checks := append(installation(false, key, nil), Checks()...)
	rs := byID(Run(t.Context(), &Target{Server: ts.URL, GLPIVersion: "10.0.16", RootCAs: roots(ts), Timeout: 5 * time.Second}, checks))
	for id, want := range map[string]string{
		StoredKeyCheck:     "skipped: GLPI database failed (the key is read from it)",
		ProxySettingsCheck: "skipped: GLPI database failed",
		"proxy":            "skipped: GLPI database failed (GLPI's proxy settings are unknown; the checks below go straight to the server)",
		"key-format":       "skipped: GLPI database failed (the key checked is the one GLPI stores)",
		"key":              "skipped: GLPI database failed",
	} {
		if r := rs[id]; r.Status != Skip || r.Cause != DatabaseCheck || r.Detail != want {
			t.Errorf("%s: %+v, want skipped with %q", id, r, want)
		}
	}
	for _, id := range []string{"dns", "tcp", "tls", "ping", "latency"} {
		if r := rs[id]; r.Status != OK {
			t.Errorf("%s goes straight to the server: %+v", id, r)
		}
	}

	// With the database, the same run checks the key it read.
	rs = byID(Run(t.Context(), &Target{Server: ts.URL, GLPIVersion: "10.0.16", RootCAs: roots(ts), Timeout: 5 * time.Second}, append(installation(true, key, nil), Checks()...)))
	if rs["key"].Status != OK || rs["proxy"].Detail != "no proxy configured in GLPI" {
		t.Errorf("with the database: key %+v, proxy %+v", rs["key"], rs["proxy"])
	}
}

// TestProxyFailureSkipsWhatFollows: a proxy that refuses GLPI stops every
// check that goes through it, and they name the proxy.
func TestProxyFailureSkipsWhatFollows(t *testing.T) {
	ts, key := server(t)
	proxy := connectProxy(t, "glpi", "secret")
	proxy.User = url.UserPassword("glpi", "wrong")
	rs := byID(Run(t.Context(), &Target{Server: ts.URL, GLPIVersion: "10.0.16", RootCAs: roots(ts), Timeout: 5 * time.Second},
		append(installation(true, key, proxy), Checks()...)))
	if rs["proxy"].Status != Fail {
		t.Fatalf("proxy: %+v", rs["proxy"])
	}
	for _, id := range []string{"tls", "ping", "clock", "key", "large-response", "latency"} {
		if r := rs[id]; r.Status != Skip || r.Cause != "proxy" || !strings.HasPrefix(r.Detail, "skipped: proxy failed") {
			t.Errorf("%s after a proxy failure: %+v", id, r)
		}
	}
}

func TestSentenceStart(t *testing.T) {
	for in, want := range map[string]string{"Name resolution": "name resolution", "GLPI database": "GLPI database",
		"TCP connection": "TCP connection", "Proxy": "proxy", "": "", "X": "X"} {
		if got := sentenceStart(in); got != want {
			t.Errorf("sentenceStart(%q) = %q, want %q", in, got, want)
		}
	}
}
