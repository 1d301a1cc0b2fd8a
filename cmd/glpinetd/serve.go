package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/glpinet/glpinet/cache"
	ghttp "github.com/glpinet/glpinet/http"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/mail"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Main is the running server: everything serve wires together, so that
// tests start the real thing on ":0".
type Main struct {
	Addr      string
	PublicURL string
	// BehindProxy trusts X-Forwarded-Proto and X-Forwarded-Host for
	// download links when PublicURL is not set.
	BehindProxy bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed with BehindProxy (nil: the local host).
	TrustedProxies []netip.Prefix
	// PasswordHashes bounds the argon2id hashes computed at once (0: sized
	// from memory).
	PasswordHashes int
	// Transfer cuts off slow clients (zero: ghttp.DefaultTransferRules).
	Transfer ghttp.TransferRules
	// MetricsAddr is where /metrics is served ("": nowhere).
	MetricsAddr string
	// MaxConnsPerAddr bounds the connections one client address holds
	// (0: none); MaxConns all of them (0: the open-files limit less what
	// the database and files need).
	MaxConnsPerAddr, MaxConns int
	// TLSCert and TLSKey are PEM files; when set, the server speaks HTTPS
	// (GLPI verifies certificates: use one its host trusts). They are read
	// again on SIGHUP and when they change (tls.go).
	TLSCert, TLSKey string
	// CertCheckInterval is how often TLSCert and TLSKey are checked for a
	// change (default 10s).
	CertCheckInterval time.Duration
	// ACME obtains and renews the certificate instead of TLSCert.
	ACME ACMEConfig
	// RedirectAddr, with TLS, is a plain HTTP listener for ACME HTTP-01
	// challenges and redirects to HTTPS ("": none).
	RedirectAddr string
	Store        storeFlags
	Logger       *slog.Logger
	// AccessLog logs a line per request at info level (serve's
	// --access-log, on by default).
	AccessLog bool
	// PollInterval is how often the change feed is read (default 1s).
	PollInterval time.Duration
	// Mail is --smtp and --mail-from; MailWorker sends the outbox.
	Mail       mailSettings
	MailWorker *mail.Worker

	DB        Store
	HTTP      *ghttp.Server
	Validator *cache.Validator
	Catalogue *cache.Catalogue
	listener  net.Listener
	server    *http.Server
	metrics   *http.Server
	metricsLn net.Listener
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
	failed    chan error
	tls       tlsState
}

// URL returns the base URL the server listens on.
func (m *Main) URL() string {
	scheme := "http"
	if m.usesTLS() {
		scheme = "https"
	}
	return scheme + "://" + m.listener.Addr().String()
}

// Open opens the store, loads the caches and starts listening.
func (m *Main) Open(ctx context.Context) (err error) {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.PollInterval == 0 {
		m.PollInterval = time.Second
	}
	if err := m.checkTLS(); err != nil {
		return err
	}
	if err := os.MkdirAll(m.Store.archiveDir(), 0o750); err != nil {
		return err
	}
	if err := prepareTempDir(m.Store.tmpDir(), m.Logger); err != nil {
		return err
	}
	db, err := m.Store.open(ctx)
	if err != nil {
		return err
	}
	m.DB = db
	defer func() {
		if err != nil {
			db.Close()
			m.DB = nil
		}
	}()
	m.checkDatabase(ctx)
	m.Validator = cache.NewValidator(db, time.Now, m.Logger)
	m.Catalogue = cache.NewCatalogue(db, time.Now)
	// Read the feed's position before loading: a change committed in
	// between is then both in the snapshot and replayed, never lost.
	watcher := &cache.Watcher{Feed: db, Followers: []cache.Follower{m.Validator, m.Catalogue}, Interval: m.PollInterval, Log: m.Logger}
	if err := watcher.Start(ctx); err != nil {
		return err
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		if err != nil {
			cancel()
			m.wg.Wait()
		}
	}()
	m.wg.Go(func() { watcher.Run(bg) })
	if err := watcher.WaitListening(ctx); err != nil {
		return err
	}
	if err := m.Validator.LoadKeys(ctx); err != nil {
		return err
	}
	if err := m.Catalogue.Load(ctx); err != nil {
		return fmt.Errorf("load catalogue: %w", err)
	}
	if err := reportLeftovers(m.Store.archiveDir(), m.Catalogue.Current(), m.Logger); err != nil {
		return err
	}
	signer, err := signing.LoadForCatalogue(m.Store.signingKeyPath(), m.Catalogue.Current())
	if err != nil {
		return err
	}
	sightings := &cache.Sightings{Store: db, Log: m.Logger}
	downloads := &cache.Downloads{Store: db}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := m.setupTLS(reg); err != nil {
		return err
	}
	archives := newArchiveCache(db, m.Store.archiveDir(), m.Logger)
	m.MailWorker = m.newMailWorker(db, mail.NewMetrics(reg))
	notices := m.newNotices(db, mail.NewNoticeMetrics(reg))
	srv := &ghttp.Server{
		Store: db, Validator: m.Validator, Catalogue: m.Catalogue, Sightings: sightings, Downloads: downloads, Archives: archives,
		Publisher:  &publish.Publisher{Store: db, ArchiveDir: m.Store.archiveDir(), Limits: pluginarchive.DefaultLimits(), SigningKey: signer},
		ArchiveDir: m.Store.archiveDir(), TempDir: m.Store.tmpDir(), SigningKey: signer.Public().(ed25519.PublicKey), PublicURL: m.PublicURL, TrustForwarded: m.BehindProxy, Logger: m.Logger, Registry: reg,
		AccessLog:      m.AccessLog,
		TrustedProxies: m.TrustedProxies, PasswordHashes: m.PasswordHashes, Transfer: m.Transfer,
		MailStatus: m.MailWorker.Status, SendsMail: m.Mail.server != nil,
	}
	handler := srv.Handler()
	l, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	files := openFilesLimit()
	total := m.MaxConns
	if total == 0 && files > 0 {
		total = max(files-reservedFiles, 64)
	}
	m.listener = ghttp.LimitListener(l, srv.ConnLimits(m.MaxConnsPerAddr, total))
	m.Logger.Info("connection limits", "per_address", m.MaxConnsPerAddr, "total", total, "open_files_limit", files)
	m.HTTP = srv
	// No ReadTimeout or WriteTimeout: one value cannot suit both a form and
	// a long download. The handler moves each request's deadlines with the
	// bytes (ghttp.TransferRules); headers and idle connections have their
	// own time-outs here.
	m.server = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
		// With --tls-cert, HTTP/2: a request's deadlines then apply to its
		// stream only, so the connection needs its own, or a client that
		// stops reading holds it for ever (a blocked frame write keeps even
		// the idle time-out from closing it).
		HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 100, WriteByteTimeout: 30 * time.Second,
			SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second}}

	if m.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.MetricsAddr); err != nil {
			l.Close()
			return fmt.Errorf("metrics listener (--metrics-addr): %w", err)
		}
		m.metrics = &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
			ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
	}
	if err := m.listenRedirect(); err != nil {
		l.Close()
		if m.metricsLn != nil {
			m.metricsLn.Close()
		}
		return err
	}
	m.cancel, m.failed = cancel, make(chan error, 1)
	m.startTLS(bg)
	m.startHangups(bg, watcher)
	m.wg.Go(func() { cache.Every(bg, 10*time.Second, m.Logger, "recording instances", sightings.Flush) })
	m.wg.Go(func() { cache.Every(bg, 10*time.Second, m.Logger, "recording download counts", downloads.Flush) })
	m.wg.Go(func() { m.checkDatabaseEvery(bg, databaseCheckInterval) })
	m.wg.Go(func() { m.MailWorker.Run(bg) })
	if notices != nil {
		m.wg.Go(func() { notices.Run(bg) })
	}
	// Archives published while replicas shared a disk, into the database.
	m.wg.Go(func() { archives.UploadAndLog(bg) })
	m.wg.Go(func() {
		cache.Every(bg, 10*time.Minute, m.Logger, "sweeping the temporary folder", func(context.Context) error {
			return sweepTempDir(m.Store.tmpDir(), time.Now(), m.Logger)
		})
	})
	m.wg.Go(func() {
		cache.Every(bg, 10*time.Minute, m.Logger, "forgetting old attempt counters", func(ctx context.Context) error {
			_, err := db.PruneAttempts(ctx, time.Now())
			return err
		})
	})
	if m.metrics != nil {
		m.wg.Go(func() {
			if err := m.metrics.Serve(m.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Error("metrics listener stopped", "err", err)
			}
		})
	}
	m.wg.Go(func() {
		serve := func() error { return m.server.Serve(m.listener) }
		if m.tls.config != nil {
			m.server.TLSConfig = m.tls.config
			serve = func() error { return m.server.ServeTLS(m.listener, "", "") }
		}
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.failed <- err
		}
	})
	return nil
}

// MetricsURL returns the URL of /metrics, "" when not served.
func (m *Main) MetricsURL() string {
	if m.metricsLn == nil {
		return ""
	}
	return "http://" + m.metricsLn.Addr().String() + "/metrics"
}

// Failed reports the error that stopped the listener, if it stops by
// itself.
func (m *Main) Failed() <-chan error { return m.failed }

// Close stops accepting requests, lets running ones finish, writes the
// pending batches and closes the store.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
	}
	if m.metrics != nil {
		m.metrics.Close()
	}
	m.closeTLS()
	if m.cancel != nil {
		m.cancel()
		m.wg.Wait() // the batch writers flush once more before returning
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// serveFlags are serve's settings, also read by `glpinetd config`. Every
// flag but --json has an environment variable named after it (GLPINET_,
// upper case, - as _; see envName) that gives its default, so that a
// unit file or a container sets anything a command line can.
type serveFlags struct {
	fs                     *flag.FlagSet
	proxies, level, format *string
}

// newServeFlags declares serve's flags, storing their values in m.
func newServeFlags(name string, m *Main) *serveFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sf := &serveFlags{fs: fs}
	m.Store.register(fs)
	m.Mail.register(fs)
	fs.StringVar(&m.Addr, "addr", cli.Env("GLPINET_ADDR", ":8080"), "listen address (env GLPINET_ADDR)")
	fs.StringVar(&m.PublicURL, "public-url", cli.Env("GLPINET_PUBLIC_URL", ""), "absolute URL GLPI reaches this server at, for download links (env GLPINET_PUBLIC_URL)")
	fs.StringVar(&m.TLSCert, "tls-cert", cli.Env("GLPINET_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS (env GLPINET_TLS_CERT)")
	fs.StringVar(&m.TLSKey, "tls-key", cli.Env("GLPINET_TLS_KEY", ""), "PEM private key of --tls-cert (env GLPINET_TLS_KEY); both files are read again on SIGHUP and when they change")
	m.registerTLSFlags(fs)
	fs.BoolVar(&m.BehindProxy, "behind-proxy", envBool("GLPINET_BEHIND_PROXY", false), "trust X-Forwarded-Proto/-Host from a reverse proxy for download links (env GLPINET_BEHIND_PROXY=true)")
	sf.proxies = fs.String("trusted-proxies", cli.Env("GLPINET_TRUSTED_PROXIES", ""), "with --behind-proxy: comma-separated addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For gives the client address (default: this host; env GLPINET_TRUSTED_PROXIES)")
	fs.IntVar(&m.PasswordHashes, "password-hashes", envInt("GLPINET_PASSWORD_HASHES", 0), "password hashes computed at once, 19 MiB each (default: sized from GOMEMLIMIT or 256 MiB; env GLPINET_PASSWORD_HASHES)")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", cli.Env("GLPINET_METRICS_ADDR", "127.0.0.1:9464"), "address serving Prometheus /metrics, kept off the public port; \"\" for none (env GLPINET_METRICS_ADDR)")
	fs.IntVar(&m.MaxConnsPerAddr, "max-conns-per-addr", envInt("GLPINET_MAX_CONNS_PER_ADDR", 256), "simultaneous connections one client address (IPv6: /64) may hold; 0 for no limit (env GLPINET_MAX_CONNS_PER_ADDR)")
	fs.IntVar(&m.MaxConns, "max-conns", envInt("GLPINET_MAX_CONNS", 0), "simultaneous connections in all (default: the open-files limit less 256; env GLPINET_MAX_CONNS)")
	sf.level = fs.String("log-level", cli.Env("GLPINET_LOG_LEVEL", "info"), "debug, info, warn or error (env GLPINET_LOG_LEVEL)")
	sf.format = fs.String("log-format", cli.Env("GLPINET_LOG_FORMAT", "text"), "text (key=value lines) or json (one object a line) (env GLPINET_LOG_FORMAT)")
	fs.BoolVar(&m.AccessLog, "access-log", envBool("GLPINET_ACCESS_LOG", true), "log a line per request at info level; =false when the reverse proxy logs them (env GLPINET_ACCESS_LOG=false)")
	return sf
}

// apply checks the parsed settings and fills what m derives from them,
// without opening anything: serve and config report the same mistakes.
func (sf *serveFlags) apply(m *Main) (slog.Level, error) {
	var lv slog.Level
	if err := checkEnvInts("GLPINET_PASSWORD_HASHES", "GLPINET_MAX_CONNS_PER_ADDR", "GLPINET_MAX_CONNS"); err != nil {
		return lv, cli.Usagef("%v", err)
	}
	if err := checkEnvBools("GLPINET_BEHIND_PROXY", "GLPINET_ACCESS_LOG"); err != nil {
		return lv, cli.Usagef("%v", err)
	}
	if err := cli.CheckEnvFiles("GLPINET_"); err != nil {
		return lv, err
	}
	var err error
	if m.PublicURL != "" {
		// "glpi.example.com" without a scheme would make every download
		// link relative: GLPI could not follow one.
		if m.PublicURL, err = cli.ServerURL("public-url", m.PublicURL, true); err != nil {
			return lv, err
		}
	}
	if m.TrustedProxies, err = parsePrefixes(*sf.proxies); err != nil {
		return lv, cli.Usagef("bad --trusted-proxies: %v", err)
	}
	if err := lv.UnmarshalText([]byte(*sf.level)); err != nil {
		return lv, cli.Usagef("bad --log-level %q: debug, info, warn or error", *sf.level)
	}
	if *sf.format != "text" && *sf.format != "json" {
		return lv, cli.Usagef("bad --log-format %q: text or json", *sf.format)
	}
	if err := m.Mail.check(); err != nil {
		return lv, err
	}
	return lv, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := &Main{}
	sf := newServeFlags("serve", m)
	fs := sf.fs
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return cli.Usagef("serve takes no arguments (got %q)", pos[0])
	}
	lv, err := sf.apply(m)
	if err != nil {
		return err
	}
	if m.Logger, err = newLogger(stderr, *sf.format, lv); err != nil {
		return err
	}
	slog.SetDefault(m.Logger)
	if err := m.Open(ctx); err != nil {
		return err
	}
	n, _ := m.DB.CountAccounts(ctx)
	m.Logger.Info("glpinetd serving", "url", m.URL(), "database", m.Store.describe(), "accounts", n)
	if n == 0 {
		printFirstSteps(stdout, m.URL(), m.Store.describe(), strings.TrimSuffix(publicOr(m), "/"), storeArgs(fs))
	}
	if m.PublicURL == "" {
		m.Logger.Warn("no --public-url: download links are built from each request's Host header; set it to the address GLPI uses (https://…)")
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down")
		return m.Close()
	case err := <-m.Failed():
		m.Close()
		return fmt.Errorf("listener stopped: %w", err)
	}
}

// newLogger builds serve's logger: text (slog's key=value lines) or JSON
// (one object a line, for log collectors), at level and above.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, cli.Usagef("bad --log-format %q: text or json", format)
}

// printFirstSteps tells whoever started a server on an empty database what
// to do next, with the --data and --database they gave (the commands must
// open the same database).
func printFirstSteps(w io.Writer, listening, database, public, store string) {
	fmt.Fprintf(w, `glpinetd is running on %s with an empty database (%s).
Next steps, in another terminal:
  glpinetd account create "My company"%[3]s            # prints the account ID
  glpinetd key issue --account 1%[3]s                  # prints a registration key, once
  glpinetd plugin publish glpi-myplugin-1.0.0.tar.gz%[3]s
  glpinetd operator create you@example.com%[3]s < password.txt   # an operator of the portal
The portal: %[4]s/ (customers sign up there; operators manage accounts at %[4]s/operator)
Then in GLPI's config/local_define.php:
  define('GLPI_NETWORK_SERVICES', '%[4]s');
`, listening, database, store, public)
}

// storeArgs repeats the --data and --database flags given on serve's
// command line, for the commands printFirstSteps suggests (values from the
// environment need no repeating: the next command reads them too). A
// database password is not printed.
func storeArgs(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" || f.Name == "database" {
			v := f.Value.String()
			if u, err := url.Parse(v); err == nil && u.User != nil {
				if _, ok := u.User.Password(); ok {
					u.User = url.UserPassword(u.User.Username(), "PASSWORD")
					v = u.String()
				}
			}
			fmt.Fprintf(&b, " --%s %s", f.Name, shellWord(v))
		}
	})
	return b.String()
}

// shellWord quotes s for a POSIX shell when it needs quoting.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func publicOr(m *Main) string {
	if m.PublicURL != "" {
		return m.PublicURL
	}
	if u := m.acmeURL(); u != "" {
		return u
	}
	return reachableURL(m.URL(), os.Hostname)
}

// reachableURL turns a listener URL on the unspecified address
// (http://[::]:8080, http://0.0.0.0:8080), which GLPI cannot connect to,
// into one naming this machine, so that the hint can be pasted as it is.
func reachableURL(listenURL string, hostname func() (string, error)) string {
	u, err := url.Parse(listenURL)
	if err != nil {
		return listenURL
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsUnspecified() {
		return listenURL
	}
	host := "127.0.0.1"
	if h, err := hostname(); err == nil && h != "" {
		host = h
	}
	u.Host = net.JoinHostPort(host, u.Port())
	return u.String()
}
