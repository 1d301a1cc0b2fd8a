package glpinet

import (
	"strings"
	"testing"
)

func TestCheckLink(t *testing.T) {
	const must = "must be an http:// or https:// address"
	tests := []struct {
		value string
		want  string // in the EINVALID message; "" when accepted
	}{
		{"", ""},
		{"http://ok", ""},
		{"https://ok/path?q", ""},
		{"https://example.com/foo/issues?state=open#top", ""},
		{"HTTPS://Example.com/", ""},
		{"http://127.0.0.1:8080/x", ""},
		{"https://[::1]/", ""},
		{"https://example.com/a%20b", ""},
		{"javascript:alert(1)", must},
		{"JAVASCRIPT:alert(1)", must},
		{"JavaScript://example.com/%0aalert(1)", must},
		{"data:text/html,<script>alert(1)</script>", must},
		{"vbscript:msgbox(1)", must},
		{"file:///etc/passwd", must},
		{"ftp://example.com/x", must},
		{"//evil.example", must},
		{"//evil.example/x.png", must},
		{"/relative/path", must},
		{"relative/path", must},
		{"example.com", must},
		{"https://", must},
		{"https:///path", must},
		{"http:example.com", must},
		{"https://exa mple.com", "contains spaces or invisible characters"},
		{" javascript:alert(1)", "contains spaces or invisible characters"},
		{"https://example.com ", "contains spaces or invisible characters"},
		{"java\tscript:alert(1)", "contains spaces or invisible characters"},
		{"java\nscript:alert(1)", "contains spaces or invisible characters"},
		{"https://example.com/\r\n", "contains spaces or invisible characters"},
		{"\x00javascript:alert(1)", "contains spaces or invisible characters"},
		{"https://example.com/\u200b", "contains spaces or invisible characters"},
		{"https://example.com/\u202e", "contains spaces or invisible characters"},
		{"https://example.com/\xff", "contains spaces or invisible characters"},
		{"https://example.com/" + strings.Repeat("a", MaxLinkLength-len("https://example.com/")), ""},
		{"https://example.com/" + strings.Repeat("a", MaxLinkLength), "longer than 2048 bytes"},
	}
	for _, tt := range tests {
		err := CheckLink("homepage URL", tt.value)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckLink(%q) = %v, want nil", tt.value, err)
		case tt.want != "" && (ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.want) ||
			!strings.Contains(ErrorMessage(err), "homepage URL") || !strings.Contains(ErrorMessage(err), must)):
			t.Errorf("CheckLink(%q) = %v, want EINVALID naming the field, saying %q and %q", tt.value, err, must, tt.want)
		}
		want := tt.value
		if tt.want != "" {
			want = ""
		}
		if got := SafeLink(tt.value); got != want {
			t.Errorf("SafeLink(%q) = %q, want %q", tt.value, got, want)
		}
	}
}

func TestPluginValidateLinks(t *testing.T) {
	for _, tt := range []struct {
		field string
		set   func(p *Plugin)
	}{
		{"logo URL", func(p *Plugin) { p.LogoURL = "data:image/svg+xml,<svg onload=alert(1)>" }},
		{"homepage URL", func(p *Plugin) { p.HomepageURL = "javascript:alert(1)" }},
		{"issues URL", func(p *Plugin) { p.IssuesURL = "//evil.example" }},
		{"readme URL", func(p *Plugin) { p.ReadmeURL = "vbscript:msgbox(1)" }},
		{"changelog URL", func(p *Plugin) { p.ChangelogURL = " javascript:alert(1)" }},
	} {
		p := &Plugin{Key: "foo", Name: "Foo", HomepageURL: "https://example.com/foo"}
		if err := p.Validate(); err != nil {
			t.Fatalf("valid plugin: %v", err)
		}
		tt.set(p)
		if err := p.Validate(); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "The "+tt.field+" ") {
			t.Errorf("%s: Validate() = %v, want EINVALID naming the %s", tt.field, err, tt.field)
		}
	}
}
