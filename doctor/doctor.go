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
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Remedy   string        `json:"remedy,omitempty"`
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

// Check is one diagnosis.
type Check struct {
	ID    string
	Title string
	Run   func(ctx context.Context, t *Target, env *Env) Result
}

// Env carries what checks learn for the checks after them.
type Env struct {
	URL      *url.URL
	Client   *http.Client
	Failed   map[string]bool // check IDs that failed
	DateSkew time.Duration
}

// Run runs the checks in order. A check whose prerequisite failed is
// skipped rather than piling up consequences of one cause.
func Run(ctx context.Context, t *Target, checks []Check) []Result {
	env := &Env{Failed: map[string]bool{}}
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
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
