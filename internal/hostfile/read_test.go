//go:build unix

package hostfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestReadRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(p, 5); err != nil || string(b) != "12345" {
		t.Fatalf("Read at the limit = %q, %v", b, err)
	}
	if _, err := Read(p, 4); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read past the limit: %v, want ErrTooLarge", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), 5); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
	}
}

// A FIFO without a writer would block a plain open forever; /dev/zero
// would be read until memory runs out.
func TestReadRefusesSpecialFilesWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "glpicrypt.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Read(fifo, 33)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("FIFO: %v, want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read blocked on a FIFO")
	}
	if _, err := Read("/dev/zero", 33); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("/dev/zero: %v, want ErrNotRegular", err)
	}
	if _, err := Read(t.TempDir(), 33); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("directory: %v, want ErrNotRegular", err)
	}
}

func TestCheckRegularDoesNotFollowLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "local_define.php")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := CheckRegular(target); err != nil {
		t.Fatalf("regular file: %v", err)
	}
	var e *Error
	if err := CheckRegular(link); !errors.As(err, &e) || e.Kind != "symbolic link" {
		t.Fatalf("symlink: %v, want a symbolic link refusal", err)
	}
}

func TestReadNoFollow(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadNoFollow(link, 100); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("ReadNoFollow(symlink) = %q, %v; want ErrNotRegular", b, err)
	}
	if b, err := ReadNoFollow(target, 100); err != nil || string(b) != "secret" {
		t.Fatalf("ReadNoFollow(file) = %q, %v", b, err)
	}
}
