package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
)

func TestPick(t *testing.T) {
	url := "https://example.com/a.tar.gz"
	v := func(num, compat, stability string, downloadable bool, offers ...string) client.Version {
		out := client.Version{Num: num, Compatibility: compat, Stability: stability, RequiredOffers: offers}
		if downloadable {
			out.DownloadURL = &url
		}
		return out
	}
	p := &client.Plugin{Key: "foo", Versions: []client.Version{
		v("1.0.0", "~10.0", "stable", true),
		v("1.10.0", "~10.0", "stable", true), // newer than 1.9.0: compared as versions, not strings
		v("1.9.0", "~10.0", "stable", true),
		v("2.0.0-rc1", "~10.0", "RC", true),
		v("3.0.0", "~11.0", "stable", true), // a server that does not filter
	}}
	gated := &client.Plugin{Key: "bar", RequiredOffers: []string{"standard", "advanced"}, Versions: []client.Version{
		v("1.0.0", "", "", true), v("2.0.0", "", "", false, "standard", "advanced")}}
	tests := []struct {
		name   string
		p      *client.Plugin
		want   string
		pre    bool
		hasKey bool
		got    string // version picked, "" when refused
		err    string
	}{
		{name: "newest stable compatible", p: p, got: "1.10.0"},
		{name: "prereleases", p: p, pre: true, got: "2.0.0-rc1"},
		{name: "an exact version, even a prerelease", p: p, want: "2.0.0-rc1", got: "2.0.0-rc1"},
		{name: "an incompatible version", p: p, want: "3.0.0", err: "foo has no version 3.0.0 for GLPI 10.0.16 (available: 2.0.0-rc1, 1.10.0, 1.9.0, 1.0.0)"},
		{name: "nothing compatible", p: &client.Plugin{Key: "foo"}, err: "foo has no version compatible with GLPI 10.0.16"},
		{name: "only prereleases", p: &client.Plugin{Key: "foo", Versions: []client.Version{v("1.0.0-beta1", "", "beta", true)}},
			err: "foo has only pre-releases for GLPI 10.0.16 (available: 1.0.0-beta1): use --version or --prereleases"},
		{name: "gated without key", p: gated, err: "bar 2.0.0 needs the offer standard or advanced and no registration key is stored: glpinet key set KEY (1.0.0 is available to you: --version 1.0.0)"},
		{name: "gated with a key", p: gated, hasKey: true, err: "which this instance's registration key does not have"},
		{name: "an older free version", p: gated, want: "1.0.0", got: "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pick(tt.p, "10.0.16", tt.want, tt.pre, tt.hasKey)
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("got %v, %v; want error %q", got.Num, err, tt.err)
			case tt.err == "" && err != nil:
				t.Fatalf("got error %v, want %s", err, tt.got)
			case tt.err == "" && got.Num != tt.got:
				t.Fatalf("picked %s, want %s", got.Num, tt.got)
			}
		})
	}
}

// TestInstallCorruptArchiveKeepsOld wires pluginarchive's extraction into
// glpihost's swap as the download command does: a corrupt archive and an
// archive of another plugin both leave the installed version untouched.
func TestInstallCorruptArchiveKeepsOld(t *testing.T) {
	dir := t.TempDir()
	old := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "hello", Version: "1.0.0"})
	install := func(archive string) error {
		_, err := glpihost.InstallPlugin(dir, "hello", false, func(staging string) error {
			m, err := pluginarchive.ExtractFile(archive, "", pluginarchive.DefaultLimits(), staging)
			if err == nil && m.Key != "hello" {
				return errorString("another plugin")
			}
			return err
		})
		return err
	}
	if err := install(old); err != nil {
		t.Fatal(err)
	}
	setup, _ := os.ReadFile(filepath.Join(dir, "hello", "setup.php"))

	good := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "hello", Version: "1.1.0"})
	data, _ := os.ReadFile(good)
	corrupt := filepath.Join(t.TempDir(), "glpi-hello-1.1.0.tar.gz")
	os.WriteFile(corrupt, data[:len(data)-20], 0o644)
	other := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "other", Version: "1.0.0"})
	for _, bad := range []string{corrupt, other} {
		if err := install(bad); err == nil {
			t.Fatalf("%s installed", bad)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "hello", "setup.php"))
		entries, _ := os.ReadDir(dir)
		if string(got) != string(setup) || len(entries) != 1 {
			t.Fatalf("after %s: setup.php changed or leftovers %v", bad, entries)
		}
	}
}
