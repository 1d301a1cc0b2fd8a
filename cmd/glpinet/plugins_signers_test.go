//go:build unix

package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/glpinet/glpinet/glpihost"
)

// TestSignersFile: the seen keys survive a reload; files/ belongs to the
// web server's user, so a symlinked _glpinet never steers the write out
// of the tree and a FIFO in place of the file is refused without
// blocking.
func TestSignersFile(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "files"), 0o755)
	in := &glpihost.Install{Root: root, ConfigDir: filepath.Join(root, "config")}
	pub, _, _ := ed25519.GenerateKey(nil)
	s, err := loadSigners(in)
	if err != nil || s.seen("https://a:443") != nil {
		t.Fatalf("empty: %v %v", s, err)
	}
	if err := s.remember("https://a:443", pub); err != nil {
		t.Fatal(err)
	}
	if s, err = loadSigners(in); err != nil || !s.seen("https://a:443").Equal(pub) || s.seen("https://b:443") != nil {
		t.Fatalf("reloaded: %v %v", s, err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(root, "files", "_glpinet", ".*")); len(tmp) != 0 {
		t.Fatalf("leftovers %v", tmp)
	}

	// _glpinet replaced by a link to a directory outside the tree.
	outside := t.TempDir()
	os.RemoveAll(filepath.Join(root, "files", "_glpinet"))
	if err := os.Symlink(outside, filepath.Join(root, "files", "_glpinet")); err != nil {
		t.Fatal(err)
	}
	s = &signers{base: filepath.Join(root, "files"), Keys: map[string]string{}}
	if err := s.remember("https://a:443", pub); err == nil {
		t.Fatal("wrote through a link out of files/")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote outside the tree: %v", entries)
	}

	// The file replaced by a FIFO.
	os.Remove(filepath.Join(root, "files", "_glpinet"))
	os.MkdirAll(filepath.Join(root, "files", "_glpinet"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(root, "files", "_glpinet", signersFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSigners(in); err == nil {
		t.Fatal("a FIFO was read as the seen keys")
	}
}
