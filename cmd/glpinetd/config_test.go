package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEveryServeFlagHasItsEnv checks the rule a unit file or a container
// relies on: every serve flag can be set by GLPINET_ + its name, its help
// says which variable, and setting that variable changes what serve
// would run with.
func TestEveryServeFlagHasItsEnv(t *testing.T) {
	names := serveFlagNames()
	if len(names) < 15 {
		t.Fatalf("only %d serve flags found", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f := newServeFlags("serve", &Main{}).fs.Lookup(name)
			env := envName(name)
			if !strings.Contains(f.Usage, "env "+env) {
				t.Errorf("--%s's help does not name %s: %q", name, env, f.Usage)
			}
			// A value other than the default, of the flag's type.
			value := "glpinet-test-value"
			switch {
			case f.DefValue == "true":
				value = "false"
			case f.DefValue == "false":
				value = "true"
			case isNumber(f.DefValue):
				value = "7"
			}
			t.Setenv(env, value)
			got := newServeFlags("serve", &Main{}).fs.Lookup(name).Value.String()
			if got != value {
				t.Errorf("%s=%s gives --%s %q", env, value, name, got)
			}
		})
	}
}

// serveFlagNames lists serve's flags but --json (an output format).
func serveFlagNames() []string {
	var names []string
	newServeFlags("serve", &Main{}).fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "json" {
			names = append(names, f.Name)
		}
	})
	return names
}

func isNumber(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// TestConfigShowsSources runs `glpinetd config` as an administrator would
// to find out what an env file really sets: each setting's source, the
// database password never printed, a file named by NAME_FILE read.
func TestConfigShowsSources(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "database")
	if err := os.WriteFile(secret, []byte("postgres://glpinet:s3cr3t-pw@db.example/glpinet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GLPINET_ADDR", ":9443")
	t.Setenv("GLPINET_DATABASE_FILE", secret)
	t.Setenv("GLPINET_LOG_LEVEL", "debug")

	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"config", "--json", "--log-level", "warn", "--data", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stdout.String(), "s3cr3t-pw") {
		t.Fatalf("the database password is printed:\n%s", stdout.String())
	}
	var out configJSON
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	got := map[string]setting{}
	for _, s := range out.Settings {
		got[s.Name] = s
	}
	for name, want := range map[string]setting{
		"addr":       {Value: ":9443", Source: "env"},
		"database":   {Value: "postgres://glpinet:xxxxx@db.example/glpinet", Source: "env-file"},
		"log-level":  {Value: "warn", Source: "flag"}, // the flag wins over GLPINET_LOG_LEVEL
		"data":       {Value: dir, Source: "flag"},
		"log-format": {Value: "text", Source: "default"},
	} {
		if s := got[name]; s.Value != want.Value || s.Source != want.Source {
			t.Errorf("%s: %q from %s, want %q from %s", name, s.Value, s.Source, want.Value, want.Source)
		}
	}
	if _, ok := got["json"]; ok {
		t.Error("--json, an output format, is listed as a setting")
	}
	if p := out.Paths["archives"]; p != filepath.Join(dir, "archives") {
		t.Errorf("archives path %q", p)
	}

	// The text form, for people: the same, with the flag or variable named.
	stdout.Reset()
	if code := run(t.Context(), []string{"config", "--data", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"env GLPINET_DATABASE_FILE", "env GLPINET_ADDR", "flag --data", "postgres://glpinet:xxxxx@db.example/glpinet"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "s3cr3t-pw") {
		t.Fatalf("the database password is printed:\n%s", stdout.String())
	}
}

// TestConfigRefusesWhatServeRefuses checks that config reports, with a
// non-zero exit, the settings serve would not start with, before anybody
// restarts a service to find out.
func TestConfigRefusesWhatServeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad log format", nil, []string{"--log-format", "xml"}, `bad --log-format "xml"`},
		{"public URL without scheme", nil, []string{"--public-url", "glpi.example.com"}, "public-url"},
		{"boolean env", map[string]string{"GLPINET_BEHIND_PROXY": "yes"}, nil, `GLPINET_BEHIND_PROXY="yes" is neither true nor false`},
		{"unreadable secret file", map[string]string{"GLPINET_DATABASE_FILE": "/nonexistent/glpinet-db"}, nil, "GLPINET_DATABASE_FILE names a file that cannot be read"},
		{"TLS half", nil, []string{"--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"config", "--data", t.TempDir()}, tc.args...), &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0, want a refusal; stdout:\n%s", stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
				t.Errorf("stderr %q, want one line with %q", stderr.String(), tc.want)
			}
			// serve refuses the same, at start (bounded in case it starts).
			stderr.Reset()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			if code := run(ctx, append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--metrics-addr", ""}, tc.args...), &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("serve: exit %d, stderr %q, want %q", code, stderr.String(), tc.want)
			}
		})
	}
}
