//go:build unix

package glpicrypt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadKeyHostileFiles replays a key file replaced by the web server's
// user with something that is not a file: before, a FIFO blocked the
// command forever and /dev/zero made it grow by ~100 MB/s.
func TestLoadKeyHostileFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	zero := filepath.Join(dir, "zero.key")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.key")
	if err := os.WriteFile(big, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, reason, msg string
	}{
		{fifo, "not_regular", "is a FIFO (named pipe), not a regular file: it is not a GLPI key"},
		{zero, "not_regular", "is a device, not a regular file"},
		{dir, "not_regular", "is a directory, not a regular file"},
		{big, "wrong_size", "is 1048576 bytes long, not 32"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := LoadKey(c.path)
			done <- err
		}()
		select {
		case err := <-done:
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Reason != c.reason || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("LoadKey(%s) = %v, want %s: %q", filepath.Base(c.path), err, c.reason, c.msg)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("LoadKey(%s) blocked", filepath.Base(c.path))
		}
	}
}

// TestKeyErrorUnknownSize: a file that grew past 32 bytes between the
// check and the read has no exact size to report.
func TestKeyErrorUnknownSize(t *testing.T) {
	err := &KeyError{Path: "glpicrypt.key", Reason: "wrong_size", Size: -1}
	if got := err.Error(); got != "glpicrypt.key is larger than 32 bytes: it is corrupt or not a GLPI key" {
		t.Fatalf("message %q", got)
	}
}
