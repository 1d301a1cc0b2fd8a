package glpihost

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileAtomic(t *testing.T) {
	now := time.Date(2025, 1, 31, 14, 25, 1, 0, time.UTC)

	t.Run("replace with backup, keeping the mode", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "local_define.php")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		backup, err := WriteFileAtomic(path, []byte("new"), 0o644, true, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := path + ".bak-20250131-142501"; backup != want {
			t.Errorf("backup = %q, want %q", backup, want)
		}
		if got := readString(t, path); got != "new" {
			t.Errorf("content = %q", got)
		}
		if got := readString(t, backup); got != "old" {
			t.Errorf("backup content = %q", got)
		}
		for _, p := range []string{path, backup} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o640 {
				t.Errorf("%s mode = %v, want 0640", p, fi.Mode().Perm())
			}
		}
		if got, want := dirNames(t, dir), []string{"local_define.php", "local_define.php.bak-20250131-142501"}; !slices.Equal(got, want) {
			t.Errorf("directory holds %q, want %q (no temporary file left)", got, want)
		}

		// A second change within the same second gets its own backup.
		backup2, err := WriteFileAtomic(path, []byte("newer"), 0o644, true, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := path + ".bak-20250131-142501.1"; backup2 != want {
			t.Errorf("second backup = %q, want %q", backup2, want)
		}
		if readString(t, backup2) != "new" || readString(t, backup) != "old" || readString(t, path) != "newer" {
			t.Error("backups or content mixed up")
		}
	})

	t.Run("new file gets perm and no backup", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "local_define.php")
		backup, err := WriteFileAtomic(path, []byte("<?php\n"), 0o640, true, now)
		if err != nil || backup != "" {
			t.Fatalf("WriteFileAtomic = %q, %v; want no backup", backup, err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("mode = %v, %v; want 0640 regardless of umask", fi.Mode().Perm(), err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"local_define.php"}) {
			t.Errorf("directory holds %q", got)
		}
	})

	t.Run("no backup when not asked", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "f")
		os.WriteFile(path, []byte("old"), 0o644)
		backup, err := WriteFileAtomic(path, []byte("new"), 0o600, false, now)
		if err != nil || backup != "" || readString(t, path) != "new" {
			t.Fatalf("WriteFileAtomic = %q, %v", backup, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want the original 0644", fi.Mode().Perm())
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"f"}) {
			t.Errorf("directory holds %q", got)
		}
	})

	// Finding 2 of issue 10: config/ belongs to the web server's user,
	// who could link local_define.php to any file for a root run to
	// rewrite. The link is refused and nothing is written anywhere.
	t.Run("symbolic link is refused, its target untouched", func(t *testing.T) {
		dir, outside := t.TempDir(), t.TempDir()
		victim := filepath.Join(outside, "passwd")
		os.WriteFile(victim, []byte("root:x:0:0"), 0o644)
		link := filepath.Join(dir, "local_define.php")
		if err := os.Symlink(victim, link); err != nil {
			skipOutsideCI(t, "symlinks unavailable: "+err.Error())
		}
		_, err := WriteFileAtomic(link, []byte("<?php define('X', 1);"), 0o644, true, now)
		if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("WriteFileAtomic through a link = %v, want an EINVALID refusal", err)
		}
		if readString(t, victim) != "root:x:0:0" {
			t.Error("the link's target was rewritten")
		}
		if got := dirNames(t, outside); !slices.Equal(got, []string{"passwd"}) {
			t.Errorf("files appeared beside the target: %q", got)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"local_define.php"}) {
			t.Errorf("files appeared in the directory: %q", got)
		}
	})

	t.Run("failure leaves no temporary file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "sub")
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteFileAtomic(path, []byte("x"), 0o644, true, now); err == nil {
			t.Error("writing over a directory succeeded")
		}
		if _, err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644, true, now); err == nil {
			t.Error("writing into a missing directory succeeded")
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"sub"}) {
			t.Errorf("directory holds %q", got)
		}
	})
}

func TestWriteFileAtomicKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOutsideCI(t, "needs root to give a file away")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "local_define.php")
	os.WriteFile(path, []byte("old"), 0o640)
	if err := os.Chown(path, 12345, 23456); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFileAtomic(path, []byte("new"), 0o644, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if uid, gid := ownerOf(fi); uid != 12345 || gid != 23456 {
		t.Errorf("owner = %d:%d, want 12345:23456", uid, gid)
	}
}

func TestCopyFileBackupFallback(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(src, []byte("content"), 0o600)
	if err := copyFile(src, dst, 0o640); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dst); readString(t, dst) != "content" || fi.Mode().Perm() != 0o640 {
		t.Errorf("copy = %q mode %v", readString(t, dst), fi.Mode().Perm())
	}
	if err := copyFile(src, dst, 0o640); !os.IsExist(err) {
		t.Errorf("copy over an existing file: %v, want an exists error", err)
	}
}

// skipOutsideCI skips a test whose requirement this machine lacks, except
// in CI (CI=true), which runs as root on Linux: there the test must run.
func skipOutsideCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: CI must provide it", why)
	}
	t.Skip(why)
}
