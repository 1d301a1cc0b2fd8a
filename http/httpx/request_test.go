package httpx

import (
	"net/http/httptest"
	"testing"
)

// TestWantsHTML: browsers get pages, GLPI and API clients JSON.
func TestWantsHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                  false,
		"*/*":                               false,
		"application/json":                  false,
		"application/json, text/plain, */*": false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8":                                  true, // Firefox
		"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8": true, // Chromium
		"application/json;q=0.9, text/html;q=0.5":                                                          false,
		"text/html;q=0":   false,
		"text/html;q=bad": false,
		"TEXT/HTML":       true,
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := WantsHTML(r); got != want {
			t.Errorf("Accept %q: WantsHTML = %v, want %v", accept, got, want)
		}
	}
}

// TestLoggedPathHidesCodes: an invitation code or a reset token never
// reaches the logs, whether a route took the path or not.
func TestLoggedPathHidesCodes(t *testing.T) {
	r := httptest.NewRequest("GET", "/join/secretcode", nil)
	if got := LoggedPath(r); got != "/join/…" {
		t.Fatalf("unrouted: %q", got)
	}
	r.Pattern = "GET /join/{code}"
	if got := LoggedPath(r); got != "/join/{code}" {
		t.Fatalf("routed: %q", got)
	}
	r = httptest.NewRequest("GET", "/password/reset/gnr_secret", nil)
	if got := LoggedPath(r); got != "/password/reset/…" {
		t.Fatalf("unrouted reset: %q", got)
	}
	r.Pattern = "GET /password/reset/{token}"
	if got := LoggedPath(r); got != "/password/reset/{token}" {
		t.Fatalf("routed reset: %q", got)
	}
	r = httptest.NewRequest("GET", "/verify/gnv_secret", nil)
	if got := LoggedPath(r); got != "/verify/…" {
		t.Fatalf("unrouted verification: %q", got)
	}
	r.Pattern = "GET /verify/{token}"
	if got := LoggedPath(r); got != "/verify/{token}" {
		t.Fatalf("routed verification: %q", got)
	}
	r = httptest.NewRequest("GET", "/keys/12", nil)
	r.Pattern = "GET /keys/{id}"
	if got := LoggedPath(r); got != "/keys/12" {
		t.Fatalf("plain: %q", got)
	}
}
