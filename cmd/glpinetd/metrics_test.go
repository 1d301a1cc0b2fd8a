package main

import (
	"strings"
	"testing"
)

// TestMetrics: /metrics, on its own address, counts requests by route and
// status, validations by verdict and downloads; /healthz and /readyz
// answer.
func TestMetrics(t *testing.T) {
	ts := startServerWith(t, seedCatalogue(2), func(m *Main) { m.MetricsAddr = "127.0.0.1:0" })
	g := ts.glpi("registered", "10.0.16")
	g.RegistrationInfo(t.Context())
	g.Key = "nonsense"
	g.RegistrationInfo(t.Context())
	get(t, ts.URL()+"/api/marketplace/plugin/plugin001/download/1.0.0", nil)
	get(t, ts.URL()+"/api/marketplace/archives/plugin001/1.0.0/glpi-plugin001-1.0.0.tar.gz", nil)

	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _, body := get(t, ts.URL()+path, nil); status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
	}
	// Not on the public port: it tells who uses the server.
	if status, _, _ := get(t, ts.URL()+"/metrics", nil); status != 404 {
		t.Errorf("/metrics on the public port: %d, want 404", status)
	}
	_, _, body := get(t, ts.MetricsURL(), nil)
	for _, want := range []string{
		`glpinet_http_requests_total{route="GET /api/registration/info",status="200"} 2`,
		`glpinet_validations_total{code="VALID"} 1`,
		`glpinet_validations_total{code="MALFORMED"} 1`,
		`glpinet_downloads_total{kind="notice"} 1`,
		`glpinet_downloads_total{kind="archive"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
