package main

import (
	"errors"
	"flag"
	"strings"
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

// TestFirstStepsRepeatTheStoreFlags: the commands the first-run hint
// suggests open the database serve opened (its --data and --database, a
// password left out), and the hint names the portal and operator create.
func TestFirstStepsRepeatTheStoreFlags(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	if err := fs.Parse([]string{"--data", "/srv/glpi net", "--database", "postgres://glpinet:s3cret@db/glpinet"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printFirstSteps(&b, "http://127.0.0.1:8080", "PostgreSQL", "https://glpinet.example.com", storeArgs(fs))
	out := b.String()
	for _, want := range []string{
		`glpinetd key issue --account 1 --data '/srv/glpi net' --database postgres://glpinet:PASSWORD@db/glpinet`,
		"glpinetd operator create you@example.com --data",
		"The portal: https://glpinet.example.com/",
		"define('GLPI_NETWORK_SERVICES', 'https://glpinet.example.com');",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the hint lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("the hint prints the database password:\n%s", out)
	}
}

// TestServeRefusesAPublicURLWithoutScheme: download links built from
// "glpi.example.com" would be relative, and GLPI could not follow them.
func TestServeRefusesAPublicURLWithoutScheme(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"serve", "--data", t.TempDir(), "--metrics-addr", "127.0.0.1:0", "--addr", "127.0.0.1:0",
		"--public-url", "glpi.example.com"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--public-url \"glpi.example.com\" has no scheme: write https://glpi.example.com") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
