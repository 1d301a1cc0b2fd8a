package main

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesPrivate: with the usual umask (022) and a data folder made
// 0755, the database files of a command and of a running server, a
// backup's files and a restored database are readable by their owner
// only.
func TestFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	ctx := t.Context()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := func(args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(ctx, args, &stdout, &stderr); code != 0 {
			t.Fatalf("glpinetd %s: status %d, %s", strings.Join(args, " "), code, stderr.String())
		}
	}
	// private fails unless every file under dir whose name starts with
	// "glpinet.db", or every file of a backup, is 0600; it returns how
	// many it saw.
	private := func(dir string, all bool) int {
		t.Helper()
		n := 0
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(all || strings.HasPrefix(d.Name(), "glpinet.db")) {
				return err
			}
			n++
			if fi, err := d.Info(); err != nil {
				return err
			} else if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", path, fi.Mode().Perm())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	cmd("account", "create", "ACME", "--data", data)
	if private(data, false) == 0 {
		t.Fatalf("no database file in %s", data)
	}

	m := &Main{Addr: "127.0.0.1:0", Store: storeFlags{data: data}, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil))}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// The server's -wal and -shm files, while it runs.
	if n := private(data, false); n != 3 {
		t.Errorf("%d database files while the server runs, want 3 (the file, -wal, -shm)", n)
	}
	backupDir := filepath.Join(root, "backup")
	cmd("backup", "--out", backupDir, "--data", data)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	private(backupDir, true)

	restored := filepath.Join(root, "restored")
	if err := os.Mkdir(restored, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd("restore", "--from", backupDir, "--data", restored)
	if private(restored, false) == 0 {
		t.Fatalf("no database restored in %s", restored)
	}
}
