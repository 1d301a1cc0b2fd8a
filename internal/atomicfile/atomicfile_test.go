//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.php")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	f, err := Create(p, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.Existing() == nil || f.Existing().Size() != 3 {
		t.Fatalf("Existing() = %v, want the old file", f.Existing())
	}
	if m, _ := filepath.Match(TempPattern("config.php"), filepath.Base(f.Name())); !m {
		t.Fatalf("temporary file %s does not match %s", f.Name(), TempPattern("config.php"))
	}
	f.Write([]byte("new"))
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("before Commit: %q", b)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "new" || st.Mode().Perm() != 0o640 {
		t.Fatalf("after Commit: %q %v, want \"new\" -rw-r----- whatever the umask", b, st.Mode())
	}
	if n := names(t, dir); len(n) != 1 {
		t.Fatalf("left in the folder: %v", n)
	}
	if err := f.Commit(); err == nil {
		t.Fatal("a second Commit succeeded")
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "k"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Abort()
	f.Abort()
	if n := names(t, dir); len(n) != 0 {
		t.Fatalf("left in the folder: %v", n)
	}
	if err := WriteFile(filepath.Join(dir, "k"), []byte("y"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A link planted at the destination is refused; one swapped in after
// Create is replaced, never written through.
func TestSymlinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(victim, []byte("root"), 0o644)
	link := filepath.Join(dir, "glpicrypt.key")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("x"), 0o600); !errors.Is(err, ErrLink) {
		t.Fatalf("write through a link: %v, want ErrLink", err)
	}
	if err := WriteFile(dir, []byte("x"), 0o600); err == nil {
		t.Fatal("a folder was replaced")
	}

	p := filepath.Join(dir, "local_define.php")
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, p); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "root" {
		t.Fatalf("the link's target was written: %q", b)
	}
	if st, _ := os.Lstat(p); !st.Mode().IsRegular() {
		t.Fatalf("%s is %v after Commit, want a regular file", p, st.Mode())
	}
}

func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "signing.key")
	a, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("first"))
	b.Write([]byte("second"))
	if err := a.CommitNew(); err != nil {
		t.Fatal(err)
	}
	if err := b.CommitNew(); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CommitNew: %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "first" {
		t.Fatalf("content %q, want the first creator's", got)
	}
	if n := names(t, dir); len(n) != 1 {
		t.Fatalf("left in the folder: %v", n)
	}
}

func TestCreateIn(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := CreateIn(root, "../escape", 0o600); err == nil {
		t.Fatal("CreateIn left its root")
	}
	f, err := CreateIn(root, "sub/known.json", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("{}"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "sub", "known.json")); string(b) != "{}" {
		t.Fatalf("content %q", b)
	}
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
}

func TestCreateAll(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a", "b", "k")
	f, err := CreateAll(p, 0o600, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	if err := f.CommitNew(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Dir(p)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v, want drwx------", st, err)
	}
}
