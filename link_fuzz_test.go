package glpinet

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckLink: a link accepted for GLPI's marketplace is an absolute
// http or https URL with a host, without control characters or spaces:
// nothing a browser could run.
func FuzzCheckLink(f *testing.F) {
	for _, s := range []string{"https://example.com/", "javascript:alert(1)", " javascript:x", "JaVaScRiPt:x", "data:text/html,x", "//evil.example", "http://a\tb", "https://ok/path?q=1#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		if CheckLink("homepage", link) != nil {
			if SafeLink(link) != "" {
				t.Fatalf("SafeLink(%q) kept a refused link", link)
			}
			return
		}
		if link == "" {
			return
		}
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
			t.Fatalf("CheckLink accepted %q (%v, %+v)", link, err, u)
		}
		if strings.ContainsFunc(link, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
			t.Fatalf("CheckLink accepted %q with control characters or spaces", link)
		}
	})
}
