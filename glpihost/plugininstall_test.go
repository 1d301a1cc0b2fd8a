package glpihost

import (
	"errors"
	"github.com/glpinet/glpinet/internal/testkit"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

// writeFiles creates files (path → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fillWith returns a fill function writing a plugin "foo" with files.
func fillWith(t *testing.T, files map[string]string) func(string) error {
	return func(staging string) error {
		writeFiles(t, filepath.Join(staging, "foo"), files)
		return nil
	}
}

// oldPlugin makes a marketplace directory holding version 1 of foo.
func oldPlugin(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "foo"), map[string]string{"setup.php": "v1", "old.txt": "only in v1", "inc/a.php": "a1"})
	writeFiles(t, filepath.Join(dir, "other"), map[string]string{"setup.php": "other"})
	return dir
}

func TestInstallPluginFresh(t *testing.T) {
	dir := t.TempDir()
	res, err := InstallPlugin(dir, "foo", false, fillWith(t, map[string]string{"setup.php": "v2"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != filepath.Join(dir, "foo") || res.Replaced || res.Leftover != "" {
		t.Errorf("got %+v", res)
	}
	want := map[string]string{".": testkit.Tree(t, dir)["."], "foo": "drwxr-xr-x", "foo/setup.php": "-rw-r--r-- v2"}
	if diff := cmp.Diff(want, testkit.Tree(t, dir)); diff != "" {
		t.Errorf("marketplace (-want +got):\n%s", diff)
	}
}

func TestInstallPluginReplaces(t *testing.T) {
	dir := oldPlugin(t)
	res, err := InstallPlugin(dir, "foo", false, fillWith(t, map[string]string{"setup.php": "v2", "inc/a.php": "a2"}))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Replaced {
		t.Error("Replaced is false")
	}
	got := testkit.Tree(t, dir)
	want := map[string]string{".": got["."], "foo": "drwxr-xr-x", "foo/setup.php": "-rw-r--r-- v2", "foo/inc": "drwxr-xr-x",
		"foo/inc/a.php": "-rw-r--r-- a2", "other": "drwxr-xr-x", "other/setup.php": "-rw-r--r-- other"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("marketplace (-want +got): old files or staging left behind?\n%s", diff)
	}
}

// TestInstallPluginRollback fails at every step after the checks: the
// marketplace directory must end byte-identical, without staging folders.
func TestInstallPluginRollback(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name   string
		fill   func(t *testing.T) func(string) error
		rename func(old, new string) error
		want   error
	}{
		{name: "extraction fails midway", fill: func(t *testing.T) func(string) error {
			return func(staging string) error {
				writeFiles(t, filepath.Join(staging, "foo"), map[string]string{"setup.php": "half"})
				return errBoom
			}
		}, want: errBoom},
		{name: "nothing extracted", fill: func(t *testing.T) func(string) error {
			return func(string) error { return nil }
		}},
		{name: "moving the new version in fails", fill: func(t *testing.T) func(string) error {
			return fillWith(t, map[string]string{"setup.php": "v2"})
		}, rename: func(old, new string) error {
			if strings.HasPrefix(filepath.Base(filepath.Dir(old)), stagingPattern) && filepath.Base(old) == "foo" {
				return errBoom // staging/foo → dir/foo, after dir/foo went aside
			}
			return os.Rename(old, new)
		}, want: errBoom},
		{name: "moving the old version aside fails", fill: func(t *testing.T) func(string) error {
			return fillWith(t, map[string]string{"setup.php": "v2"})
		}, rename: func(old, new string) error {
			if filepath.Base(new) == "previous" {
				return errBoom
			}
			return os.Rename(old, new)
		}, want: errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := oldPlugin(t)
			before := testkit.Tree(t, dir)
			renames := 0
			// The two-rename swap, where failures can be injected
			// between its steps (the exchange has none).
			exchange = func(string, string) error { return errNoExchange }
			t.Cleanup(func() { exchange = exchangeDirs })
			if tt.rename != nil {
				rename = func(old, new string) error { renames++; return tt.rename(old, new) }
				t.Cleanup(func() { rename = os.Rename })
			}
			_, err := InstallPlugin(dir, "foo", false, tt.fill(t))
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff(before, testkit.Tree(t, dir)); diff != "" {
				t.Errorf("marketplace changed (-before +after):\n%s", diff)
			}
			if tt.name == "moving the new version in fails" && renames != 3 {
				t.Errorf("%d renames, want 3: aside, in (failing), back", renames)
			}
		})
	}
}

func TestInstallPluginVCS(t *testing.T) {
	for _, vcs := range []string{".git", ".hg", ".svn"} {
		t.Run(vcs, func(t *testing.T) {
			dir := oldPlugin(t)
			writeFiles(t, filepath.Join(dir, "foo", vcs), map[string]string{"HEAD": "ref"})
			before := testkit.Tree(t, dir)
			called := false
			_, err := InstallPlugin(dir, "foo", false, func(string) error { called = true; return nil })
			if glpinet.ErrorCode(err) != glpinet.ECONFLICT || called {
				t.Fatalf("got %v (fill called: %v), want ECONFLICT before any work", err, called)
			}
			if diff := cmp.Diff(before, testkit.Tree(t, dir)); diff != "" {
				t.Errorf("marketplace changed:\n%s", diff)
			}
			if _, err := InstallPlugin(dir, "foo", true, fillWith(t, map[string]string{"setup.php": "v2"})); err != nil {
				t.Fatalf("with force: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "foo", vcs)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("with force, %s is still there", vcs)
			}
		})
	}
}

func TestPluginTargetRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644)
	for _, key := range []string{"../foo", "Foo", "", "foo/bar", ".glpinet-staging-foo"} {
		if _, err := PluginTarget(dir, key, true); glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("key %q: got %v, want EINVALID", key, err)
		}
	}
	if _, err := PluginTarget(dir, "afile", true); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Errorf("a file in the way: got %v, want EINVALID", err)
	}
	if got, err := PluginTarget(dir, "missing", false); got != "" || err != nil {
		t.Errorf("a new plugin: got %q, %v", got, err)
	}
}

func TestPlugins(t *testing.T) {
	root := t.TempDir()
	in := &Install{Root: root}
	writeFiles(t, in.MarketplaceDir(), map[string]string{"foo/setup.php": "m", "bar/setup.php": "m", "nosetup/README": "x", "Bad/setup.php": "x"})
	writeFiles(t, in.PluginsDir(), map[string]string{"foo/setup.php": "p", "foo/.git/HEAD": "x", "baz/setup.php": "p"})
	os.WriteFile(filepath.Join(in.MarketplaceDir(), "afile"), nil, 0o644)
	got, err := in.Plugins()
	if err != nil {
		t.Fatal(err)
	}
	m, p := in.MarketplaceDir(), in.PluginsDir()
	want := []PluginDir{
		{Key: "bar", Path: filepath.Join(m, "bar"), Where: "marketplace"},
		{Key: "foo", Path: filepath.Join(m, "foo"), Where: "marketplace"},
		{Key: "baz", Path: filepath.Join(p, "baz"), Where: "plugins"},
		{Key: "foo", Path: filepath.Join(p, "foo"), Where: "plugins", VCS: ".git"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Plugins (-want +got):\n%s", diff)
	}
	if got, err := (&Install{Root: t.TempDir()}).Plugins(); err != nil || got != nil {
		t.Errorf("no plugin folders: got %v, %v", got, err)
	}
}
