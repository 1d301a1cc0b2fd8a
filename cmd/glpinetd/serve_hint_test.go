package main

import (
	"errors"
	"testing"
)

// TestReachableURL: the first-run hint never tells to point GLPI at
// [::] or 0.0.0.0, which it cannot connect to.
func TestReachableURL(t *testing.T) {
	named := func() (string, error) { return "glpinet.lan", nil }
	failing := func() (string, error) { return "", errors.New("no name") }
	for _, tc := range []struct {
		in   string
		host func() (string, error)
		want string
	}{
		{"http://[::]:8080", named, "http://glpinet.lan:8080"},
		{"https://0.0.0.0:443", named, "https://glpinet.lan:443"},
		{"http://[::]:8080", failing, "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080", named, "http://127.0.0.1:8080"},
		{"http://[2001:db8::1]:8080", named, "http://[2001:db8::1]:8080"},
	} {
		if got := reachableURL(tc.in, tc.host); got != tc.want {
			t.Errorf("reachableURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
