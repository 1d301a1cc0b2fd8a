package glpihost

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

// TestCleanPluginLeftovers replays installs killed part-way: a staging
// folder half extracted, one holding the previous version moved aside
// (killed between the two renames, where exchange is not available),
// and one still in use. Before, they stayed forever, and a plugin killed
// between the renames stayed missing for GLPI.
func TestCleanPluginLeftovers(t *testing.T) {
	dir := oldPlugin(t)
	// Killed during extraction.
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-foo-123", "foo"), map[string]string{"setup.php": "hal"})
	// Killed between the renames: bar is only in staging/previous.
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-bar-456", "previous"), map[string]string{"setup.php": "bar v1"})
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-bar-456", "bar"), map[string]string{"setup.php": "bar v2"})
	// Killed after the swap: other is in place, its old copy in staging.
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-other-789", "previous"), map[string]string{"setup.php": "other v0"})
	// Running: locked.
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-foo-999", "foo"), map[string]string{"setup.php": "v2"})
	unlock, ok, err := lockDir(filepath.Join(dir, ".glpinet-staging-foo-999"), true)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer unlock()
	// Not glpinet's: left alone.
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"precious": "x"})
	os.Symlink(outside, filepath.Join(dir, ".glpinet-staging-baz-1"))
	writeFiles(t, dir, map[string]string{".glpinet-staging-Foo-1/x": "x", ".glpinet-staging-foo-x1/x": "x", ".glpinet-stagingfoo-1/x": "x", ".glpinet-staging-foo-2": "a file"})

	removed, err := CleanPluginLeftovers(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range removed {
		names = append(names, filepath.Base(r))
	}
	if diff := cmp.Diff([]string{".glpinet-staging-bar-456", ".glpinet-staging-foo-123", ".glpinet-staging-other-789"}, names); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	got := testkit.Tree(t, dir)
	for path, want := range map[string]string{
		"bar/setup.php":                          "-rw-r--r-- bar v1", // the previous version is back
		"foo/setup.php":                          "-rw-r--r-- v1",
		"other/setup.php":                        "-rw-r--r-- other",
		".glpinet-staging-foo-999/foo/setup.php": "-rw-r--r-- v2",
		".glpinet-staging-Foo-1/x":               "-rw-r--r-- x",
		".glpinet-staging-foo-x1/x":              "-rw-r--r-- x",
		".glpinet-stagingfoo-1/x":                "-rw-r--r-- x",
		".glpinet-staging-foo-2":                 "-rw-r--r-- a file",
	} {
		if got[path] != want {
			t.Errorf("%s = %q, want %q", path, got[path], want)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "precious")); err != nil {
		t.Errorf("a link's target was touched: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".glpinet-staging-baz-1")); err != nil {
		t.Errorf("a link named like staging was removed: %v", err)
	}
}

// TestInstallPluginCleansFirst: the next install removes the leftovers
// of a killed one before its own work.
func TestInstallPluginCleansFirst(t *testing.T) {
	dir := oldPlugin(t)
	writeFiles(t, filepath.Join(dir, ".glpinet-staging-foo-123", "foo"), map[string]string{"setup.php": "half"})
	if _, err := InstallPlugin(dir, "foo", false, fillWith(t, map[string]string{"setup.php": "v2"})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".glpinet-staging-foo-123")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("leftover kept: %v", err)
	}
}

// TestDownloadLeftovers: downloads of processes that are gone are removed,
// those of running ones (this one) kept, nothing else touched.
func TestDownloadLeftovers(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	dead := strconv.Itoa(cmd.ProcessState.Pid())
	mine := strconv.Itoa(os.Getpid())
	writeFiles(t, dir, map[string]string{
		".glpinet-download-" + dead + "-111": "killed",
		".glpinet-download-" + mine + "-222": "running",
		".glpinet-download-333":              "old name: unknown owner",
		"other":                              "x",
	})
	target := filepath.Join(t.TempDir(), "target")
	os.WriteFile(target, []byte("x"), 0o644)
	os.Symlink(target, filepath.Join(dir, ".glpinet-download-"+dead+"-444"))
	f, err := CreateDownloadTemp(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, ok := downloadPID(filepath.Base(f.Name())); !ok {
		t.Errorf("%s is not named after its process", f.Name())
	}
	got := testkit.Tree(t, dir)
	if _, ok := got[".glpinet-download-"+dead+"-111"]; ok {
		t.Error("the download of a dead process was kept")
	}
	for _, keep := range []string{".glpinet-download-" + mine + "-222", ".glpinet-download-333", "other", ".glpinet-download-" + dead + "-444", filepath.Base(f.Name())} {
		if _, ok := got[keep]; !ok {
			t.Errorf("%s was removed", keep)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Error("a link's target was removed")
	}
}

// TestInstallPluginExchanges: on Linux the previous version is swapped out
// in one step (no rename at all), so no kill can leave GLPI without the
// plugin's directory.
func TestInstallPluginExchanges(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("renameat2 is Linux's")
	}
	dir := oldPlugin(t)
	rename = func(old, new string) error { return errors.New("rename used") }
	t.Cleanup(func() { rename = os.Rename })
	res, err := InstallPlugin(dir, "foo", false, fillWith(t, map[string]string{"setup.php": "v2"}))
	if err != nil || !res.Replaced {
		t.Fatalf("InstallPlugin = %+v, %v", res, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "foo", "setup.php")); string(b) != "v2" {
		t.Fatalf("setup.php = %q", b)
	}
	if got := testkit.Tree(t, dir); len(got) != 5 {
		t.Fatalf("staging left? %v", got)
	}
}
