package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/sqlite"
)

// TestPublishRefusesUnsafeLinks: GLPI puts plugin links in <a href>, so
// whatever a vendor's setup.php or the publisher's metadata says, only
// http(s) links are published.
func TestPublishRefusesUnsafeLinks(t *testing.T) {
	tests := []struct {
		name     string
		homepage string // in setup.php
		meta     glpinet.PluginMeta
		want     string // in the EINVALID message; "" when accepted
		wantHome string // the published homepage, when accepted
	}{
		{name: "setup.php javascript: homepage", homepage: "javascript:alert(1)",
			want: `The homepage in setup.php "javascript:alert(1)" must be an http:// or https:// address`},
		{name: "setup.php data: homepage", homepage: "data:text/html,<script>alert(1)</script>",
			want: `The homepage in setup.php "data:text/html,<script>alert(1)</script>" must be an http:// or https:// address`},
		{name: "setup.php homepage replaced by the metadata", homepage: "javascript:alert(1)",
			meta: glpinet.PluginMeta{HomepageURL: "https://example.com/foo"}, wantHome: "https://example.com/foo"},
		{name: "meta javascript: homepage", homepage: "https://example.com/foo",
			meta: glpinet.PluginMeta{HomepageURL: "JavaScript:alert(document.cookie)"},
			want: `The homepage URL "JavaScript:alert(document.cookie)" must be an http:// or https:// address`},
		{name: "meta data: logo", homepage: "https://example.com/foo",
			meta: glpinet.PluginMeta{LogoURL: "data:image/svg+xml,<svg/onload=alert(1)>"},
			want: `The logo URL "data:image/svg+xml,<svg/onload=alert(1)>" must be an http:// or https:// address`},
		{name: "meta vbscript: issues", homepage: "https://example.com/foo",
			meta: glpinet.PluginMeta{IssuesURL: "vbscript:msgbox(1)"}, want: `The issues URL "vbscript:msgbox(1)" must be`},
		{name: "meta readme with a tab", homepage: "https://example.com/foo",
			meta: glpinet.PluginMeta{ReadmeURL: "java\tscript:alert(1)"}, want: `The readme URL "java\tscript:alert(1)" contains spaces`},
		{name: "meta relative changelog", homepage: "https://example.com/foo",
			meta: glpinet.PluginMeta{ChangelogURL: "/CHANGELOG.md"}, want: `The changelog URL "/CHANGELOG.md" must be`},
		{name: "http links", homepage: "http://example.com/foo",
			meta:     glpinet.PluginMeta{LogoURL: "https://example.com/logo.png", ChangelogURL: "HTTPS://example.com/CHANGELOG.md?raw=1"},
			wantHome: "http://example.com/foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "glpinet.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			archiveDir := filepath.Join(t.TempDir(), "archives")
			p := &Publisher{Store: db, ArchiveDir: archiveDir, Limits: pluginarchive.DefaultLimits()}
			plugin := testkit.Plugin{Key: "foo", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "10.1.0"}
			setup := strings.Replace(testkit.SetupPHP(plugin), "'https://example.com/foo'", "'"+tt.homepage+"'", 1)
			if !strings.Contains(setup, tt.homepage) {
				t.Fatal("the test could not set the homepage in setup.php")
			}
			plugin.Files = map[string]string{"setup.php": setup}

			res, err := p.Publish(ctx, testkit.Archive(t, t.TempDir(), plugin), glpinet.PublishOptions{Meta: tt.meta})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				if res.Plugin.HomepageURL != tt.wantHome {
					t.Errorf("homepage %q, want %q", res.Plugin.HomepageURL, tt.wantHome)
				}
				return
			}
			if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(glpinet.ErrorMessage(err), tt.want) {
				t.Fatalf("Publish: got error %v, want EINVALID containing %q", err, tt.want)
			}
			if _, err := db.FindPlugin(ctx, "foo"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
				t.Errorf("FindPlugin after a refusal: %v, want ENOTFOUND", err)
			}
			if _, err := os.Stat(archiveDir); !os.IsNotExist(err) {
				t.Errorf("the refused publication created %s (%v)", archiveDir, err)
			}
		})
	}
}
