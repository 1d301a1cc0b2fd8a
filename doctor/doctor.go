// Package doctor runs the checks that tell a GLPI administrator why
// registration or the marketplace fails: one check per failure mode GLPI
// users report (DNS, connection, TLS, proxy, availability, clock, key,
// large responses, latency), each with a verdict and a remedy.
package doctor

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"time"
)

// Status is a check's verdict.
type Status string

// Verdicts, from good to bad.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip" // not run: an earlier check failed or it does not apply
)

// Result is the outcome of one check.
type Result struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Remedy string `json:"remedy,omitempty"`
	// Cause is, for a check skipped because a check it needs failed, the
	// ID of the failed check, so that a script reading the JSON finds the
	// one failure to fix among the skipped checks.
	Cause    string        `json:"cause,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Target is the services server GLPI talks to, and how it reaches it.
type Target struct {
	// Server is GLPI_NETWORK_SERVICES, e.g. https://glpinet.example.com.
	Server string
	// Proxy is GLPI's proxy (proxy_name, proxy_port, proxy_user and the
	// decrypted proxy_passwd), nil for none.
	Proxy *url.URL
	// Key is the decrypted registration key, "" when none is set.
	Key         string
	UID         string // X-Glpi-Network-Uid
	GLPIVersion string // normalized, e.g. 10.0.16
	// RootCAs replaces the system's trusted certificates when set (tests).
	RootCAs *x509.CertPool
	// Timeout bounds each check (GLPI itself waits 5 s to connect and
	// forever to read; a doctor must not).
	Timeout time.Duration
	// Now is the local clock, for the drift check.
	Now func() time.Time
}

func (t *Target) timeout() time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return 10 * time.Second
}

func (t *Target) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// IDs of the checks of the GLPI installation itself. glpinet runs them
// before Checks, from what it reads on the host (glpihost, which this
// package does not import); the network checks that use what they read
// name them in their Needs.
const (
	// DatabaseCheck connects to GLPI's database.
	DatabaseCheck = "database"
	// CryptKeyCheck reads config/glpicrypt.key.
	CryptKeyCheck = "cryptkey"
	// StoredKeyCheck reads and decrypts the registration key GLPI stores
	// into Target.Key.
	StoredKeyCheck = "stored-key"
	// ProxySettingsCheck reads GLPI's proxy settings into Target.Proxy.
	ProxySettingsCheck = "proxy-settings"
)

// Check is one diagnosis.
type Check struct {
	ID    string
	Title string
	// Needs are the checks this one builds on. When one of them failed,
	// or was itself skipped because of a failure, this one is not run: it
	// is skipped, naming the failure at the root, rather than piling up
	// consequences of one cause. A need that is not part of the run is
	// ignored, so that any subset of checks runs.
	Needs []Need
	Run   func(ctx context.Context, t *Target, env *Env) Result
}

// Need is a check another one builds on.
type Need struct {
	ID string
	// Why says what the check gives the one that needs it, shown when it
	// is missing ("GLPI's proxy settings are read from it"); may be empty.
	Why string
	// IfRun makes the need weaker: only a failure of the check itself
	// stops the one that needs it, not its being skipped. GLPI goes
	// through its proxy when it has one, so a failed proxy stops what
	// follows, but proxy settings glpinet could not read leave the direct
	// path worth checking.
	IfRun bool
}

// Env carries what checks learn for the checks after them.
type Env struct {
	URL      *url.URL
	Client   *http.Client
	Failed   map[string]bool // check IDs that failed
	DateSkew time.Duration

	blocked map[string]string // check IDs skipped because of a failure → the failed check's ID
	titles  map[string]string // check IDs run so far → their titles
}

// Run runs the checks in order. A check whose need failed, directly or
// through the checks in between, is skipped with that failure named
// ("skipped: name resolution failed") and its ID in Result.Cause.
func Run(ctx context.Context, t *Target, checks []Check) []Result {
	env := &Env{Failed: map[string]bool{}, blocked: map[string]string{}, titles: map[string]string{}}
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		env.titles[c.ID] = c.Title
		if r, blocked := env.skipFor(c); blocked {
			r.ID, r.Title = c.ID, c.Title
			env.blocked[c.ID] = r.Cause
			out = append(out, r)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, t.timeout())
		start := time.Now()
		r := c.Run(cctx, t, env)
		cancel()
		r.ID, r.Title, r.Duration = c.ID, c.Title, time.Since(start)
		if r.Status == Fail {
			env.Failed[c.ID] = true
		}
		out = append(out, r)
	}
	return out
}

// skipFor returns the skip of c when one of its needs failed or was
// skipped because of a failure.
func (env *Env) skipFor(c Check) (Result, bool) {
	for _, n := range c.Needs {
		cause := ""
		switch {
		case env.Failed[n.ID]:
			cause = n.ID
		case env.blocked[n.ID] != "" && !n.IfRun:
			cause = env.blocked[n.ID]
		default:
			continue
		}
		d := "skipped: " + sentenceStart(env.titles[cause]) + " failed"
		if n.Why != "" {
			d += " (" + n.Why + ")"
		}
		return Result{Status: Skip, Detail: d, Cause: cause}, true
	}
	return Result{}, false
}

// sentenceStart lower-cases a title's first letter for the middle of a
// sentence, unless it begins an acronym ("GLPI database", "TCP
// connection").
func sentenceStart(title string) string {
	if len(title) > 1 && title[0] >= 'A' && title[0] <= 'Z' && (title[1] < 'A' || title[1] > 'Z') {
		return string(title[0]+'a'-'A') + title[1:]
	}
	return title
}

// Worst returns the worst verdict among results.
func Worst(results []Result) Status {
	rank := map[Status]int{Skip: 0, OK: 1, Warn: 2, Fail: 3}
	worst := OK
	for _, r := range results {
		if rank[r.Status] > rank[worst] {
			worst = r.Status
		}
	}
	return worst
}

func skip(detail string) Result { return Result{Status: Skip, Detail: detail} }
