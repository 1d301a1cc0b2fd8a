package cli

import (
	"strings"
	"testing"
)

// TestServerURL: each mistake gets its own message, with the fix.
func TestServerURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://glpinet.example.com":      "https://glpinet.example.com",
		" https://glpinet.example.com/ ":   "https://glpinet.example.com",
		"http://127.0.0.1:18080":           "http://127.0.0.1:18080",
		"":                                 "is required",
		"127.0.0.1:18080":                  "has no scheme: write https://127.0.0.1:18080",
		"glpi.example.com":                 "has no scheme: write https://glpi.example.com",
		"ftp://x":                          "the scheme must be https or http, not ftp",
		"https://":                         "has no host",
		"https://u:p@glpinet.example.com":  "must not hold a user name or password",
		"https://glpinet.example.com/?a=1": "must not have a query",
		"https://glpinet.example.com/x":    "has a path (/x): give the server's root URL, like https://glpinet.example.com",
	} {
		got, err := ServerURL("server", raw, false)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, want) {
			t.Errorf("ServerURL(%q) = %q, want %q", raw, got, want)
		}
	}
	if got, err := ServerURL("public-url", "https://example.com/glpinet/", true); err != nil || got != "https://example.com/glpinet" {
		t.Errorf("a path where allowed: %q, %v", got, err)
	}
}
