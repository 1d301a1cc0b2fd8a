package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/internal/tlsreload"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACMEConfig obtains the server's certificate from an ACME CA (Let's
// Encrypt unless Directory says otherwise) and renews it before it
// expires, instead of --tls-cert files.
type ACMEConfig struct {
	// Domains are the names certificates are obtained for; a handshake for
	// any other name is refused, so that nobody can make the server order
	// certificates for names of their choosing.
	Domains []string
	// Email is given to the CA for expiry notices (optional).
	Email string
	// Directory is the CA's directory URL (default Let's Encrypt
	// production).
	Directory string
	// CARoots is a PEM file of CA certificates trusted, besides the
	// system's, for the HTTPS of the directory itself: private ACME
	// servers (step-ca, Pebble) use certificates of their own CA.
	CARoots string
}

// defaultCertCheck is how often the certificate files are compared with
// what was loaded: a stat of two files, so cheap enough to notice a
// renewal within seconds.
const defaultCertCheck = 10 * time.Second

// tlsState is what Main keeps of its TLS setup.
type tlsState struct {
	config     *tls.Config // nil: plain HTTP
	files      *tlsreload.Reloader
	reload     chan os.Signal // with files: a signal here reloads them now
	acme       *autocert.Manager
	expiry     *prometheus.GaugeVec
	served     sync.Map // ACME domain → time.Time NotAfter of its certificate last served
	redirect   *http.Server
	redirectLn net.Listener
}

// registerTLSFlags adds the ACME and redirect flags (--tls-cert and
// --tls-key are in runServe).
func (m *Main) registerTLSFlags(fs *flag.FlagSet) {
	m.ACME.Domains = splitDomains(cli.Env("GLPINET_ACME_DOMAIN", ""))
	fs.Var((*domainList)(&m.ACME.Domains), "acme-domain", "obtain and renew the certificate from an ACME CA (Let's Encrypt) for these comma-separated `NAMES`, instead of --tls-cert; --addr must be reachable on port 443 for them (env GLPINET_ACME_DOMAIN)")
	fs.StringVar(&m.ACME.Email, "acme-email", cli.Env("GLPINET_ACME_EMAIL", ""), "contact e-mail `ADDRESS` given to the ACME CA, for expiry notices (env GLPINET_ACME_EMAIL)")
	fs.StringVar(&m.ACME.Directory, "acme-directory", cli.Env("GLPINET_ACME_DIRECTORY", autocert.DefaultACMEDirectory), "ACME directory `URL`; Let's Encrypt's staging one, https://acme-staging-v02.api.letsencrypt.org/directory, for trials (env GLPINET_ACME_DIRECTORY)")
	fs.StringVar(&m.ACME.CARoots, "acme-ca-roots", cli.Env("GLPINET_ACME_CA_ROOTS", ""), "PEM `FILE` of CA certificates to trust for the ACME directory's own HTTPS, for a private ACME CA such as step-ca (env GLPINET_ACME_CA_ROOTS)")
	fs.StringVar(&m.RedirectAddr, "redirect-addr", cli.Env("GLPINET_REDIRECT_ADDR", ""), "with TLS: plain HTTP `ADDRESS` (:80) that answers ACME HTTP-01 challenges and sends browsers to HTTPS; the GLPI API is refused there, never redirected (env GLPINET_REDIRECT_ADDR)")
}

// domainList is --acme-domain's value: comma-separated names, shown
// the same way (by help's default and by `glpinetd config`).
type domainList []string

func (d *domainList) String() string     { return strings.Join(*d, ",") }
func (d *domainList) Set(s string) error { *d = splitDomains(s); return nil }

// splitDomains reads "a.example, B.example": lower case, blanks dropped.
func splitDomains(s string) []string {
	var out []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// usesTLS reports whether the main listener speaks HTTPS.
func (m *Main) usesTLS() bool { return m.TLSCert != "" || len(m.ACME.Domains) > 0 }

// checkTLS rejects contradictory settings and loads the certificate files
// once, before anything else starts, so that a bad pair fails at start.
func (m *Main) checkTLS() error {
	if err := m.checkTLSFlags(); err != nil {
		return err
	}
	if m.TLSCert != "" {
		r, err := tlsreload.New(m.TLSCert, m.TLSKey, m.Logger, m.observeFileCert)
		if err != nil {
			return err
		}
		m.tls.files = r
	}
	return nil
}

// checkTLSFlags rejects contradictory TLS settings, reading no file
// (`glpinetd config` reports them too).
func (m *Main) checkTLSFlags() error {
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return cli.Usagef("--tls-cert and --tls-key go together")
	}
	if len(m.ACME.Domains) > 0 && m.TLSCert != "" {
		return cli.Usagef("--acme-domain and --tls-cert exclude each other: the certificate comes from one or the other")
	}
	for _, d := range m.ACME.Domains {
		if strings.ContainsAny(d, ":/ ") || net.ParseIP(d) != nil {
			return cli.Usagef("--acme-domain %q: give DNS names only, without scheme or port", d)
		}
	}
	if len(m.ACME.Domains) == 0 && (m.ACME.Email != "" || m.ACME.CARoots != "") {
		return cli.Usagef("--acme-email and --acme-ca-roots need --acme-domain")
	}
	if m.RedirectAddr != "" && !m.usesTLS() {
		return cli.Usagef("--redirect-addr needs TLS (--tls-cert or --acme-domain): there is nothing to redirect to")
	}
	return nil
}

// setupTLS builds the main listener's TLS configuration and the expiry
// metric on reg; nil without TLS.
func (m *Main) setupTLS(reg *prometheus.Registry) error {
	if !m.usesTLS() {
		return nil
	}
	m.tls.expiry = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "glpinet_tls_certificate_expiry_timestamp_seconds",
		Help: "When the certificate served expires (Unix time), by name: the ACME domain, or the first name of --tls-cert.",
	}, []string{"name"})
	reg.MustRegister(m.tls.expiry)
	if m.tls.files != nil {
		m.observeFileCert(m.tls.files.Certificate())
		m.tls.config = &tls.Config{GetCertificate: m.tls.files.GetCertificate}
		return nil
	}
	mgr, err := m.acmeManager()
	if err != nil {
		return err
	}
	m.tls.acme = mgr
	// TLSConfig offers acme-tls/1 besides h2 and http/1.1: the CA's
	// TLS-ALPN-01 check is answered on this very listener, port 443.
	cfg := mgr.TLSConfig()
	cfg.GetCertificate = m.acmeCertificate
	m.tls.config = cfg
	return nil
}

// acmeCacheDir is where the ACME account key and certificates are kept.
func (m *Main) acmeCacheDir() string { return m.Store.acmeDir() }

// acmeManager builds the autocert manager: account key and certificates
// cached in DATA/acme, shared by nothing else.
func (m *Main) acmeManager() (*autocert.Manager, error) {
	dir := m.acmeCacheDir()
	// 0700: the folder holds the ACME account key and the certificates'
	// private keys.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ACME cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ACME cache: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if m.ACME.CARoots != "" {
		pem, err := os.ReadFile(m.ACME.CARoots)
		if err != nil {
			return nil, fmt.Errorf("--acme-ca-roots: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, cli.Usagef("--acme-ca-roots %s: no PEM certificate in it", m.ACME.CARoots)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	dirURL := m.ACME.Directory
	if dirURL == "" {
		dirURL = autocert.DefaultACMEDirectory
	}
	if u, err := url.Parse(dirURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, cli.Usagef("--acme-directory %q: an https:// URL", dirURL)
	}
	m.Logger.Info("certificates from ACME", "domains", m.ACME.Domains, "directory", dirURL, "cache", dir)
	return &autocert.Manager{
		// Asking for a certificate with --acme-domain is accepting the
		// CA's terms: there is nobody to click a box at start.
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(m.ACME.Domains...),
		Cache:      autocert.DirCache(dir),
		Email:      m.ACME.Email,
		Client: &acme.Client{DirectoryURL: dirURL, UserAgent: "glpinetd",
			HTTPClient: &http.Client{Transport: transport, Timeout: time.Minute}},
	}, nil
}

// acmeCertificate is autocert's GetCertificate, noting the expiry of what
// it serves (not of challenge certificates) for the metric and the daily
// check.
func (m *Main) acmeCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	c, err := m.tls.acme.GetCertificate(hello)
	if err != nil {
		m.Logger.Debug("no certificate for a TLS handshake", "server_name", hello.ServerName, "err", err)
		return nil, err
	}
	if slices.Contains(hello.SupportedProtos, acme.ALPNProto) || c.Leaf == nil {
		return c, nil
	}
	name := strings.ToLower(hello.ServerName)
	if old, ok := m.tls.served.Load(name); !ok || !old.(time.Time).Equal(c.Leaf.NotAfter) {
		m.tls.served.Store(name, c.Leaf.NotAfter)
		m.tls.expiry.WithLabelValues(name).Set(float64(c.Leaf.NotAfter.Unix()))
	}
	return c, nil
}

// warmACME loads the domain's certificate from the cache, or orders it,
// at start rather than on the first client's handshake: that handshake
// would otherwise wait for the CA (and time out after 10 s), and an ACME
// failure shows in the log at once. The hello is that of a client that
// takes ECDSA, the key autocert prefers.
func (m *Main) warmACME(domain string) {
	hello := &tls.ClientHelloInfo{ServerName: domain,
		CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		SupportedCurves:   []tls.CurveID{tls.X25519, tls.CurveP256},
		SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12}}
	c, err := m.acmeCertificate(hello)
	if err != nil {
		m.Logger.Error("no ACME certificate yet: the next TLS handshake tries again", "domain", domain, "err", err)
		return
	}
	if c.Leaf != nil {
		m.Logger.Info("ACME certificate ready", "domain", domain, "not_after", c.Leaf.NotAfter)
	}
	m.checkACMEExpiry(time.Now())
}

// observeFileCert records a certificate loaded from --tls-cert.
func (m *Main) observeFileCert(c *tls.Certificate) {
	if m.tls.expiry == nil || c == nil || c.Leaf == nil {
		return
	}
	name := c.Leaf.Subject.CommonName
	if len(c.Leaf.DNSNames) > 0 {
		name = c.Leaf.DNSNames[0]
	}
	m.tls.expiry.Reset() // one file, one series: drop the previous name
	m.tls.expiry.WithLabelValues(name).Set(float64(c.Leaf.NotAfter.Unix()))
}

// checkACMEExpiry warns of an ACME certificate close to expiry: autocert
// renews 30 days ahead, so 14 days left means renewals keep failing.
func (m *Main) checkACMEExpiry(now time.Time) {
	m.tls.served.Range(func(k, v any) bool {
		if left := v.(time.Time).Sub(now); left < tlsreload.WarnBefore {
			m.Logger.Warn("the ACME certificate is not being renewed: check that the CA reaches this server on port 443 (or --redirect-addr :80) and the logs for ACME errors",
				"domain", k, "not_after", v, "days_left", int(left.Hours()/24))
		}
		return true
	})
}

// listenRedirect opens --redirect-addr.
func (m *Main) listenRedirect() error {
	if m.RedirectAddr == "" {
		return nil
	}
	l, err := net.Listen("tcp", m.RedirectAddr)
	if err != nil {
		return fmt.Errorf("redirect listener (--redirect-addr): %w", err)
	}
	var h http.Handler = &redirectHandler{publicURL: m.PublicURL, httpsPort: portOf(m.listener.Addr())}
	if m.tls.acme != nil {
		// HTTP-01 challenges are answered here; everything else falls
		// through to the redirect. autocert checks the Host header as it
		// is against the allowed names: the CA always comes to port 80 and
		// sends the bare name, but on another port (a test CA, a port
		// mapping) the header carries it, so drop it for the check.
		challenges := m.tls.acme.HTTPHandler(h)
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if host, _, err := net.SplitHostPort(r.Host); err == nil && strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
				r.Host = host
			}
			challenges.ServeHTTP(w, r)
		})
	}
	m.tls.redirectLn = l
	m.tls.redirect = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
	return nil
}

func portOf(a net.Addr) string {
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return ""
	}
	return p
}

// startTLS starts the certificate watchers and the redirect listener;
// they stop with ctx and closeTLS.
func (m *Main) startTLS(ctx context.Context) {
	if r := m.tls.files; r != nil {
		interval := m.CertCheckInterval
		if interval <= 0 {
			interval = defaultCertCheck
		}
		// SIGHUP asks for a reload now (startHangups sends it here).
		m.tls.reload = make(chan os.Signal, 1)
		m.wg.Go(func() { r.Watch(ctx, interval, m.tls.reload) })
	}
	if m.tls.acme != nil {
		// Not waited for by Close: an order can take minutes when the CA
		// is slow, and autocert's GetCertificate takes no context.
		for _, d := range m.ACME.Domains {
			go m.warmACME(d)
		}
		m.wg.Go(func() {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case now := <-t.C:
					m.checkACMEExpiry(now)
				}
			}
		})
	}
	if m.tls.redirect != nil {
		m.wg.Go(func() {
			if err := m.tls.redirect.Serve(m.tls.redirectLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Error("redirect listener stopped", "err", err)
			}
		})
	}
}

// closeTLS stops the redirect listener.
func (m *Main) closeTLS() {
	if m.tls.redirect != nil {
		m.tls.redirect.Close()
	} else if m.tls.redirectLn != nil {
		m.tls.redirectLn.Close()
	}
}

// acmeURL is the address GLPI should use with --acme-domain: the first
// name (the only one the certificate is sure to be valid for, unlike the
// listener's address), "" without ACME.
func (m *Main) acmeURL() string {
	if len(m.ACME.Domains) == 0 || m.listener == nil {
		return ""
	}
	host := m.ACME.Domains[0]
	if p := portOf(m.listener.Addr()); p != "443" {
		host = net.JoinHostPort(host, p)
	}
	return "https://" + host
}

// redirectHandler answers plain HTTP next to the HTTPS listener: browsers
// are sent to HTTPS; the APIs are refused.
//
// Nothing under /api/ is redirected, or served. GLPI's registration calls
// re-send a redirect's target with the same headers (the registration key
// included), GLPI 12 fails on any 3xx, and the download notice does not
// follow redirects at all (spec §6): a redirect would either fail in ways
// that are hard to read or "work" and hide that every call carries the key
// in clear. Serving them would make the same mistake permanent. A plain
// 403 whose text names the fix is what GLPI's marketplace logs show
// (Guzzle quotes the body), and, not being JSON with is_valid, it is never
// cached by GLPI as an invalid key: the registration page says "Unable to
// fetch registration information" until GLPI_NETWORK_SERVICES is https.
// The management API's tokens get the same answer for the same reason.
type redirectHandler struct {
	publicURL string // --public-url: where to send browsers, when https
	httpsPort string // the HTTPS listener's port, added when not 443
}

func (h *redirectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "glpinet: this API is served over HTTPS only; use the https:// address (in GLPI: GLPI_NETWORK_SERVICES=https://…)\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// A form posted in clear has already leaked: do not invite the
		// browser to post it again.
		http.Error(w, "Use HTTPS.", http.StatusBadRequest)
		return
	}
	target := h.target(r)
	if target == "" {
		http.Error(w, "Use HTTPS.", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// target is the HTTPS URL of r: --public-url's origin when it is https,
// else r's host on the HTTPS port.
func (h *redirectHandler) target(r *http.Request) string {
	u := &url.URL{Scheme: "https", Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if p, err := url.Parse(h.publicURL); err == nil && p.Scheme == "https" && p.Host != "" {
		u.Host = p.Host
		u.Path = strings.TrimSuffix(p.Path, "/") + r.URL.Path
		u.RawPath = ""
		return u.String()
	}
	host := r.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	if host == "" || strings.ContainsAny(host, "/\\@") {
		return ""
	}
	if h.httpsPort != "" && h.httpsPort != "443" {
		host = net.JoinHostPort(host, h.httpsPort)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	return u.String()
}
