package doctor

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
)

// Checks returns every check, in the order they depend on each other. The
// checks that use GLPI's proxy settings or its stored key need the
// installation checks that read them (ProxySettingsCheck,
// StoredKeyCheck), when those run first.
func Checks() []Check {
	// GLPI goes through its proxy when it has one: a failed proxy stops
	// what follows, a proxy that is not checked (none, or settings that
	// could not be read) leaves the direct path.
	viaProxy := Need{ID: "proxy", IfRun: true}
	return []Check{
		{ID: "url", Title: "Services URL", Run: checkURL},
		{ID: "dns", Title: "Name resolution", Needs: []Need{{ID: "url"}}, Run: checkDNS},
		{ID: "tcp", Title: "TCP connection", Needs: []Need{{ID: "dns"}}, Run: checkTCP},
		{ID: "proxy", Title: "Proxy", Needs: []Need{{ID: "tcp"},
			{ID: ProxySettingsCheck, Why: "GLPI's proxy settings are unknown; the checks below go straight to the server"}}, Run: checkProxy},
		{ID: "tls", Title: "TLS certificate", Needs: []Need{{ID: "tcp"}, viaProxy}, Run: checkTLS},
		{ID: "ping", Title: "Services available (/api/ping)", Needs: []Need{{ID: "tcp"}, viaProxy, {ID: "tls"}}, Run: checkPing},
		{ID: "clock", Title: "Clock", Needs: []Need{{ID: "ping", Why: "the server's time comes with its answer"}}, Run: checkClock},
		{ID: "glpi-version", Title: "GLPI version", Run: checkGLPIVersion},
		{ID: "key-format", Title: "Registration key format", Needs: []Need{{ID: StoredKeyCheck, Why: "the key checked is the one GLPI stores"}}, Run: checkKeyFormat},
		{ID: "key", Title: "Registration key validity", Needs: []Need{{ID: "key-format"}, {ID: "ping"}}, Run: checkKey},
		{ID: "large-response", Title: "Large responses (path MTU)", Needs: []Need{{ID: "ping"}}, Run: checkLargeResponse},
		{ID: "latency", Title: "Response times", Needs: []Need{{ID: "ping"}}, Run: checkLatency},
	}
}

func checkURL(ctx context.Context, t *Target, env *Env) Result {
	u, err := url.Parse(strings.TrimSpace(t.Server))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Result{Status: Fail, Detail: fmt.Sprintf("%q is not an http(s) URL", t.Server),
			Remedy: "set GLPI_NETWORK_SERVICES to the server's address, e.g. glpinet configure --server https://glpinet.example.com"}
	}
	env.URL = u
	tr := &http.Transport{Proxy: http.ProxyURL(t.Proxy), TLSClientConfig: &tls.Config{RootCAs: t.RootCAs},
		DisableCompression: true, ResponseHeaderTimeout: t.timeout()}
	env.Client = &http.Client{Transport: tr, Timeout: t.timeout(),
		// GLPI's registration calls do not follow redirects by themselves.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if u.Scheme == "http" {
		return Result{Status: Warn, Detail: "the registration key travels in clear over " + u.Host,
			Remedy: "serve glpinetd over HTTPS (--tls-cert, or a reverse proxy) and use an https:// URL"}
	}
	return Result{Status: OK, Detail: u.String()}
}

// hostPort returns host:port of a URL, with the scheme's default port.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// firstHop is what the GLPI host itself connects to: the proxy, or the
// server.
func firstHop(t *Target, env *Env) (name, addr string) {
	if t.Proxy != nil {
		return "proxy " + t.Proxy.Host, hostPort(t.Proxy)
	}
	return env.URL.Host, hostPort(env.URL)
}

func checkDNS(ctx context.Context, t *Target, env *Env) Result {
	name, addr := firstHop(t, env)
	host, _, _ := net.SplitHostPort(addr)
	if net.ParseIP(host) != nil {
		return Result{Status: OK, Detail: host + " is an IP address"}
	}
	ips, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("%s: %v", name, err),
			Remedy: "check /etc/resolv.conf and that this host may resolve " + host + " (GLPI gives up after 5 s: \"Resolving timed out\")"}
	}
	d := fmt.Sprintf("%s → %s", host, strings.Join(ips, ", "))
	if t.Proxy != nil {
		d += " (the proxy resolves " + env.URL.Hostname() + ")"
	}
	return Result{Status: OK, Detail: d}
}

func checkTCP(ctx context.Context, t *Target, env *Env) Result {
	name, addr := firstHop(t, env)
	start := time.Now()
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("%s (%s): %v", name, addr, err),
			Remedy: "check firewalls between this host and " + addr + "; GLPI waits 5 s to connect"}
	}
	c.Close()
	d := fmt.Sprintf("%s connected in %s", addr, humanDuration(time.Since(start)))
	if t.Proxy != nil {
		d += " (GLPI's proxy)"
	}
	return Result{Status: OK, Detail: d}
}

// tunnel opens a connection to the server, through a CONNECT tunnel when
// there is a proxy, as cURL's HTTPPROXYTUNNEL does.
func tunnel(ctx context.Context, t *Target, env *Env) (net.Conn, error) {
	_, addr := firstHop(t, env)
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil || t.Proxy == nil {
		return c, err
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	req := "CONNECT " + hostPort(env.URL) + " HTTP/1.1\r\nHost: " + hostPort(env.URL) + "\r\n"
	if u := t.Proxy.User; u != nil {
		pass, _ := u.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)) + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil {
		c.Close()
		return nil, err
	}
	// The answer's "body" is the tunnel itself: never read or close it.
	if resp.StatusCode != http.StatusOK {
		c.Close()
		return nil, &proxyError{status: resp.StatusCode}
	}
	c.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: c, r: br}, nil
	}
	return c, nil
}

// bufferedConn reads first what was buffered while reading the proxy's
// answer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

type proxyError struct{ status int }

func (e *proxyError) Error() string { return fmt.Sprintf("the proxy answered %d to CONNECT", e.status) }

// tunnelled reports whether GLPI goes through its proxy with a CONNECT
// tunnel: cURL sets HTTPPROXYTUNNEL for https URLs or port 443, Guzzle
// tunnels https. Plain HTTP goes as absolute-form requests
// ("GET http://host/path"), which proxies often allow to ports where they
// refuse CONNECT (squid's default configuration allows CONNECT to 443 only;
// tinyproxy's suggests ConnectPort 443 and 563).
func tunnelled(u *url.URL) bool {
	_, port, _ := net.SplitHostPort(hostPort(u))
	return u.Scheme == "https" || port == "443"
}

// proxyAuthFailure describes a proxy's refusal of GLPI's credentials: 407,
// or 401, which tinyproxy answers to wrong credentials (407 only to none).
func proxyAuthFailure(t *Target, status int) (Result, bool) {
	if status != http.StatusProxyAuthRequired && status != http.StatusUnauthorized {
		return Result{}, false
	}
	if t.Proxy.User == nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("the proxy requires credentials (%d) and GLPI has none", status),
			Remedy: "set proxy_user and proxy_passwd in Setup > General > Proxy"}, true
	}
	r := Result{Status: Fail, Detail: fmt.Sprintf("the proxy refuses the credentials (%d)", status),
		Remedy: "check proxy_user and proxy_passwd in Setup > General > Proxy"}
	if pass, _ := t.Proxy.User.Password(); strings.ContainsAny(pass, "@:/%") {
		r.Remedy += "; the password contains @, :, / or %, which GLPI 10.0 puts raw into the proxy URL (11.x encodes it): use a password without them"
	}
	return r, true
}

func checkProxy(ctx context.Context, t *Target, env *Env) Result {
	if t.Proxy == nil {
		return skip("no proxy configured in GLPI")
	}
	if !tunnelled(env.URL) {
		return checkProxyForward(ctx, t, env)
	}
	c, err := tunnel(ctx, t, env)
	var pe *proxyError
	if errors.As(err, &pe) {
		if r, ok := proxyAuthFailure(t, pe.status); ok {
			return r
		}
	}
	if err != nil {
		return Result{Status: Fail, Detail: err.Error(), Remedy: "check that the proxy allows CONNECT to " + hostPort(env.URL)}
	}
	c.Close()
	return Result{Status: OK, Detail: "CONNECT " + hostPort(env.URL) + " through " + t.Proxy.Host}
}

// checkProxyForward asks the proxy for /api/ping of a plain HTTP server the
// way GLPI does, in absolute form with the credentials.
func checkProxyForward(ctx context.Context, t *Target, env *Env) Result {
	resp, _, err := get(ctx, t, env, "/api/ping", nil)
	if err != nil {
		return Result{Status: Fail, Detail: err.Error(), Remedy: "check the proxy at " + t.Proxy.Host}
	}
	if r, ok := proxyAuthFailure(t, resp.StatusCode); ok {
		return r
	}
	target := strings.TrimRight(env.URL.String(), "/") + "/api/ping"
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode >= 500 {
		return Result{Status: Fail, Detail: fmt.Sprintf("the proxy answered %d to GET %s", resp.StatusCode, target),
			Remedy: "check that the proxy allows plain HTTP to " + hostPort(env.URL) + " and can reach it"}
	}
	return Result{Status: OK, Detail: "GET " + target + " through " + t.Proxy.Host}
}

func checkTLS(ctx context.Context, t *Target, env *Env) Result {
	if env.URL.Scheme != "https" {
		return skip("not HTTPS")
	}
	raw, err := tunnel(ctx, t, env)
	if err != nil {
		return Result{Status: Fail, Detail: err.Error()}
	}
	defer raw.Close()
	host := env.URL.Hostname()
	// Handshake without verification first, to describe the chain the
	// server (or an intercepting proxy) presents, then verify it as PHP's
	// cURL does.
	conn := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err := conn.HandshakeContext(ctx); err != nil {
		return Result{Status: Fail, Detail: "TLS handshake: " + err.Error(), Remedy: "check that " + hostPort(env.URL) + " serves HTTPS"}
	}
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return Result{Status: Fail, Detail: "the server presented no certificate", Remedy: "check that " + hostPort(env.URL) + " serves HTTPS"}
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: t.RootCAs, Intermediates: inter, CurrentTime: t.now()})
	desc := fmt.Sprintf("issued to %s by %s, valid until %s", leaf.Subject.CommonName, leaf.Issuer.CommonName, leaf.NotAfter.UTC().Format(time.DateOnly))
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(verr, &unknown):
		r := Result{Status: Fail, Detail: desc + ": not signed by a trusted authority (self-signed or private CA)",
			Remedy: "use a certificate from a public CA, or add your CA to the trust store PHP's cURL uses (update-ca-certificates, or curl.cainfo in php.ini)"}
		if t.Proxy != nil {
			r.Detail += "; a TLS-intercepting proxy shows this too"
		}
		return r
	case errors.As(verr, &hostErr):
		return Result{Status: Fail, Detail: desc + ": not valid for " + host, Remedy: "serve a certificate whose names include " + host}
	case errors.As(verr, &invalid) && invalid.Reason == x509.Expired:
		return Result{Status: Fail, Detail: desc + ": expired or not yet valid (check this host's clock too)", Remedy: "renew the certificate"}
	case verr != nil:
		return Result{Status: Fail, Detail: desc + ": " + verr.Error()}
	}
	if left := leaf.NotAfter.Sub(t.now()); left < 14*24*time.Hour {
		return Result{Status: Warn, Detail: desc + fmt.Sprintf(": expires in %d days", int(left.Hours()/24)), Remedy: "renew the certificate"}
	}
	return Result{Status: OK, Detail: desc}
}

// Bounds on what the checks read: a registration verdict is a few hundred
// bytes, a catalogue page under a megabyte. Past them the answer is an
// error, never silently cut.
const (
	maxSmallBody = 1 << 20
	maxPageBody  = 32 << 20
)

// errTooLarge is an answer past its bound.
var errTooLarge = errors.New("the answer is larger than glpinet reads")

// get sends a GET with GLPI's headers and reads at most maxSmallBody
// bytes of the answer.
func get(ctx context.Context, t *Target, env *Env, path string, h map[string]string) (*http.Response, []byte, error) {
	return getMax(ctx, t, env, path, h, maxSmallBody)
}

// getMax is get reading at most limit bytes. Every field of the answer is
// the server's: callers check types and presence, and whoever prints a
// Result cleans its texts (cli.Clean).
func getMax(ctx context.Context, t *Target, env *Env, path string, h map[string]string, limit int64) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(env.URL.String(), "/")+path, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", "GLPI/"+t.GLPIVersion+" (installation-mode:TARBALL)")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := env.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%w (%d bytes)", errTooLarge, limit)
	}
	return resp, b, err
}

func checkPing(ctx context.Context, t *Target, env *Env) Result {
	for _, path := range []string{"/api/ping", "/api/registration/"} {
		resp, body, err := get(ctx, t, env, path, nil)
		if err != nil {
			return Result{Status: Fail, Detail: err.Error(), Remedy: "check the server and the network path"}
		}
		if resp.StatusCode == http.StatusOK && len(body) > 0 {
			if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
				env.DateSkew = t.now().Sub(d)
			}
			return Result{Status: OK, Detail: fmt.Sprintf("%s answered %d", path, resp.StatusCode)}
		}
	}
	return Result{Status: Fail, Detail: "neither /api/ping nor /api/registration/ answered 200",
		Remedy: "check that GLPI_NETWORK_SERVICES points at a glpinet (or GLPI Network) server, without a path"}
}

func checkClock(ctx context.Context, t *Target, env *Env) Result {
	skew := env.DateSkew.Round(time.Second)
	if skew.Abs() > 5*time.Minute {
		return Result{Status: Warn, Detail: fmt.Sprintf("this host's clock is %s off the server's", skew),
			Remedy: "synchronise the clock (NTP): a wrong clock breaks TLS checks and shows wrong dates"}
	}
	return Result{Status: OK, Detail: fmt.Sprintf("%s off the server's", skew)}
}

func checkGLPIVersion(ctx context.Context, t *Target, env *Env) Result {
	if t.GLPIVersion == "" {
		return skip("unknown GLPI version")
	}
	major := strings.SplitN(t.GLPIVersion, ".", 2)[0]
	switch major {
	case "10", "11":
		return Result{Status: OK, Detail: "GLPI " + t.GLPIVersion}
	case "9":
		return Result{Status: Warn, Detail: "GLPI " + t.GLPIVersion + " is end of life", Remedy: "upgrade GLPI: 9.5 uses the old marketplace URLs, still served, but gets no fixes"}
	}
	return Result{Status: Warn, Detail: "GLPI " + t.GLPIVersion + " was not tested with glpinet"}
}

func checkKeyFormat(ctx context.Context, t *Target, env *Env) Result {
	key := glpinet.NormalizeKey(t.Key)
	if key == "" {
		return Result{Status: Fail, Detail: "no registration key is set", Remedy: "glpinet key set KEY"}
	}
	if !strings.HasPrefix(key, glpinet.KeyPrefix) {
		return Result{Status: Warn, Detail: "not a glpinet key: it cannot be checked offline"}
	}
	if p := glpinet.CheckKey(key); p != glpinet.KeyOK {
		return Result{Status: Fail, Detail: p.Description(), Remedy: "copy the key again from the services portal, then glpinet key set KEY"}
	}
	return Result{Status: OK, Detail: glpinet.KeyDisplayPrefix(key) + "…: checksum correct"}
}

// infoBody is what /api/registration/info answers.
type infoBody struct {
	IsValid           *bool  `json:"is_valid"`
	Code              string `json:"code"`
	ValidationMessage string `json:"validation_message"`
	Owner             *struct {
		Name string `json:"name"`
	} `json:"owner"`
	Subscription *struct {
		OfferReference string  `json:"offer_reference"`
		Title          string  `json:"title"`
		IsRunning      bool    `json:"is_running"`
		EndDate        *string `json:"end_date"`
	} `json:"subscription"`
}

func checkKey(ctx context.Context, t *Target, env *Env) Result {
	if t.Key == "" { // key-format fails then; this covers a run without it
		return skip("no registration key is set")
	}
	resp, body, err := get(ctx, t, env, "/api/registration/info", map[string]string{
		"Accept": "application/json", "Accept-Language": "en", "X-Registration-Key": glpinet.NormalizeKey(t.Key), "X-Glpi-Network-Uid": t.UID})
	if err != nil {
		return Result{Status: Fail, Detail: err.Error()}
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil || raw["is_valid"] == nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("status %d without a verdict (GLPI says \"Unable to fetch registration information\")", resp.StatusCode),
			Remedy: "the server failed: try again later or see its logs"}
	}
	var info infoBody
	if err := json.Unmarshal(body, &info); err != nil || info.IsValid == nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("status %d: the verdict is not of the shape GLPI reads (%v)", resp.StatusCode, err),
			Remedy: "the server is not a GLPI Network server, or is broken: check GLPI_NETWORK_SERVICES and the server's version"}
	}
	switch {
	case !*info.IsValid:
		return Result{Status: Fail, Detail: info.Code + ": " + info.ValidationMessage, Remedy: "get a valid key from the services portal, then glpinet key set KEY"}
	case info.Subscription == nil || !info.Subscription.IsRunning:
		return Result{Status: Fail, Detail: info.Code + ": " + info.ValidationMessage, Remedy: "renew the subscription on the services portal"}
	}
	// The owner, title and end date are optional for this check: GLPI
	// shows blanks where they are missing.
	owner := "(no owner given)"
	if info.Owner != nil && info.Owner.Name != "" {
		owner = info.Owner.Name
	}
	d := fmt.Sprintf("valid, registered by %s, offer %s", owner, orNone(info.Subscription.Title))
	if info.Subscription.EndDate != nil {
		d += " until " + *info.Subscription.EndDate
	}
	return Result{Status: OK, Detail: d}
}

// orNone stands for a missing text.
func orNone(s string) string {
	if s == "" {
		return "(none given)"
	}
	return s
}

// largeSize is the size above which responses stalled on links with a
// broken path MTU (GLPI issue #25513: hangs above ~24 KB).
const largeSize = 24 << 10

func checkLargeResponse(ctx context.Context, t *Target, env *Env) Result {
	// Without compression, so that the page really is large on the wire.
	resp, body, err := getMax(ctx, t, env, "/api/marketplace/plugins", map[string]string{
		"Accept": "application/json", "X-Range": "0-199", "X-Registration-Key": glpinet.NormalizeKey(t.Key), "Accept-Encoding": "identity"}, maxPageBody)
	if errors.Is(err, errTooLarge) {
		return Result{Status: Fail, Detail: "catalogue page: " + err.Error(), Remedy: "the server ignores X-Range or is not a GLPI Network server: check GLPI_NETWORK_SERVICES"}
	}
	if err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("after %d bytes: %v", len(body), err),
			Remedy: "a large answer stalls: check the MTU of the path (VPN, LXC/Proxmox bridges) or MSS clamping"}
	}
	if resp.StatusCode != http.StatusOK {
		return Result{Status: Fail, Detail: fmt.Sprintf("catalogue page: status %d", resp.StatusCode)}
	}
	if len(body) < largeSize {
		return Result{Status: Skip, Detail: fmt.Sprintf("the catalogue page is only %d bytes: too small to test", len(body))}
	}
	return Result{Status: OK, Detail: fmt.Sprintf("%d bytes received whole", len(body))}
}

func checkLatency(ctx context.Context, t *Target, env *Env) Result {
	var ds []time.Duration
	for range 5 {
		start := time.Now()
		if _, _, err := get(ctx, t, env, "/api/ping", nil); err != nil {
			return Result{Status: Fail, Detail: err.Error()}
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	d := fmt.Sprintf("median %s, slowest %s over 5 requests", humanDuration(ds[2]), humanDuration(ds[4]))
	if ds[2] > time.Second {
		return Result{Status: Warn, Detail: d, Remedy: "GLPI waits for these answers holding the user's session: find the slow link"}
	}
	return Result{Status: OK, Detail: d}
}

// humanDuration writes a latency with the precision a reader needs: on a
// local network answers take well under a millisecond, which rounding to
// milliseconds would show as "0s".
func humanDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
