package glpiapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

// TestUnsafeStoredLinksServedEmpty: links stored before they were checked
// reach GLPI's <a href> only if they are http(s) addresses.
func TestUnsafeStoredLinksServedEmpty(t *testing.T) {
	now := time.Now()
	p := &glpinet.Plugin{Key: "evil", Name: "Evil", DateAdded: now, DateUpdated: now,
		LogoURL:      "data:image/svg+xml,<svg onload=alert(1)>",
		HomepageURL:  "javascript:alert(document.cookie)",
		IssuesURL:    " JAVASCRIPT:alert(1)",
		ReadmeURL:    "https://example.com/readme?lang=en",
		ChangelogURL: "HTTP://example.com/CHANGELOG.md",
		Versions: []*glpinet.Version{{Num: "1.0.0", Stability: "stable",
			Archive: glpinet.Archive{Filename: "glpi-evil-1.0.0.zip", Format: "zip", Size: 10, SHA256: "ab", Path: "x"}}},
	}
	s := &Handler{
		Validator: testkit.FixedValidator{Verdict: glpinet.Validation{Code: glpinet.ValidationUnknown}},
		Catalogue: testkit.FixedCatalogue{Catalogue: glpinet.NewCatalogue(1, []*glpinet.Plugin{p}, glpinet.DefaultOffers(), nil)},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	w := httptest.NewRecorder()
	serve(s).ServeHTTP(w, httptest.NewRequest("GET", "http://backend:8080/api/marketplace/plugins", nil))
	var got []map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got) != 1 {
		t.Fatalf("%v: %s", err, w.Body.Bytes())
	}
	links := map[string]any{}
	for _, k := range []string{"logo_url", "homepage_url", "issues_url", "readme_url", "changelog_url"} {
		links[k] = got[0][k]
	}
	want := map[string]any{
		"logo_url":      "",
		"homepage_url":  "",
		"issues_url":    "",
		"readme_url":    "https://example.com/readme?lang=en",
		"changelog_url": "HTTP://example.com/CHANGELOG.md",
	}
	if diff := cmp.Diff(want, links); diff != "" {
		t.Errorf("served links (-want +got):\n%s", diff)
	}
}
