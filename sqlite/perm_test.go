package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
)

// wantModes fails unless each of paths exists with mode 0600.
func wantModes(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

// TestFileModes: the database file, its -wal and -shm files, a backup and
// a migrated file are 0600 in a 0755 folder, with the usual umask (022)
// and with none, and files left more open by an earlier version are
// restricted when the store opens.
func TestFileModes(t *testing.T) {
	for _, umask := range []int{0o022, 0} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) {
			defer syscall.Umask(syscall.Umask(umask))
			ctx := glpinet.WithActor(t.Context(), "test")
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "glpinet.db")
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.CreateAccount(ctx, &glpinet.Account{Name: "ACME"}); err != nil {
				t.Fatal(err)
			}
			wantModes(t, path, path+"-wal", path+"-shm")

			snap, err := sqlite.Backup(ctx, path, filepath.Join(dir, "backup.db"))
			if err != nil {
				t.Fatal(err)
			}
			wantModes(t, snap.Path)

			migrated := filepath.Join(dir, "migrated.db")
			if _, err := sqlite.Migrate(ctx, migrated); err != nil {
				t.Fatal(err)
			}
			wantModes(t, migrated)
		})
	}
}

// TestFileModesRestricted: files an earlier version made 0644 (database,
// -wal, -shm) are 0600 once the store has opened them.
func TestFileModesRestricted(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	ctx := glpinet.WithActor(t.Context(), "test")
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "glpinet.db")
	// As SQLite makes them by itself.
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Exec(`CREATE TABLE t (x); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	// The connection stays open: the -wal and -shm files with it.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantModes(t, path, path+"-wal", path+"-shm")
}
