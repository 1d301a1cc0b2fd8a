package glpiapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/testkit"
)

func testCatalogue() *glpinet.Catalogue {
	now := time.Now()
	archive := func(num string) glpinet.Archive {
		return glpinet.Archive{Filename: "glpi-pre-" + num + ".zip", Format: "zip", Size: 10, SHA256: "ab", Path: "x"}
	}
	plugins := []*glpinet.Plugin{{Key: "pre", Name: "Pre", DateAdded: now, DateUpdated: now, Versions: []*glpinet.Version{
		{Num: "1.5.0", Stability: "stable", Archive: archive("1.5.0")},
		{Num: "2.0.0-rc1", Stability: "RC", RequiredOffers: []string{"standard"}, Archive: archive("2.0.0-rc1")},
		{Num: "0.9.0", Stability: "stable", Yanked: true, Archive: archive("0.9.0")},
	}}}
	return glpinet.NewCatalogue(1, plugins, glpinet.DefaultOffers(), nil)
}

func plugins(t *testing.T, s *Handler, headers map[string]string) []Plugin {
	t.Helper()
	s.Validator = testkit.FixedValidator{Verdict: glpinet.Validation{Code: glpinet.ValidationUnknown}}
	s.Catalogue = testkit.FixedCatalogue{Catalogue: testCatalogue()}
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	req := httptest.NewRequest("GET", "http://backend:8080/api/marketplace/plugins", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	serve(s).ServeHTTP(w, req)
	var out []Plugin
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, w.Body.Bytes())
	}
	return out
}

// testProxies trusts httptest.NewRequest's peer (192.0.2.1).
var testProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}

func TestDownloadLinkRoot(t *testing.T) {
	fwd := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "glpinet.example.com"}
	for _, tt := range []struct {
		name string
		s    *Handler
		want string
	}{
		{"from the request", &Handler{}, "http://backend:8080/api/marketplace/archives/"},
		{"forwarded headers ignored unless trusted", &Handler{}, "http://backend:8080/api/marketplace/archives/"},
		{"trusted proxy", &Handler{Proxies: httpx.Proxies{Trust: true, Trusted: testProxies}}, "https://glpinet.example.com/api/marketplace/archives/"},
		{"behind a proxy, from another peer", &Handler{Proxies: httpx.Proxies{Trust: true}}, "http://backend:8080/api/marketplace/archives/"},
		{"public URL wins", &Handler{Proxies: httpx.Proxies{Trust: true}, PublicURL: "https://glpi-services.example.org/"}, "https://glpi-services.example.org/api/marketplace/archives/"},
	} {
		h := fwd
		if tt.name == "from the request" {
			h = nil
		}
		got := plugins(t, tt.s, h)
		url := *got[0].Versions[0].DownloadURL
		if !strings.HasPrefix(url, tt.want) {
			t.Errorf("%s: download_url %q, want it under %q", tt.name, url, tt.want)
		}
	}
}

// TestPrereleaseDoesNotGateBadge: GLPI installs the newest stable version
// by default, so the plugin-level offers (its badge) follow that version,
// not a gated release candidate; yanked versions are not listed.
func TestPrereleaseDoesNotGateBadge(t *testing.T) {
	got := plugins(t, &Handler{}, nil)[0]
	if got.RequiredOffers != nil {
		t.Fatalf("required_offers = %v, want null (the newest stable version is public)", got.RequiredOffers)
	}
	if len(got.Versions) != 2 || got.Versions[1].Num != "2.0.0-rc1" || got.Versions[1].DownloadURL != nil ||
		strings.Join(got.Versions[1].RequiredOffers, ",") != "standard,advanced" {
		t.Fatalf("versions = %+v", got.Versions)
	}
}
