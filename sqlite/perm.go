package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// fileMode is the mode of the database file and of its -wal and -shm
// files: they hold password hashes, key hashes and session data, for the
// server's user only, whatever the umask and the data folder's mode.
const fileMode = 0o600

// createPrivate creates the database file at path, empty (SQLite makes a
// new database of an empty file), with mode 0600 when it does not exist:
// SQLite would create it 0644 less the umask, and it gives the -wal and
// -shm files it creates the database file's mode. An existing file, and
// its -wal and -shm files, lose any permission for the group and others
// (restrict).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return restrict(path)
	} else if err != nil {
		return err
	}
	// The umask may have removed more than asked, never added.
	if err := f.Chmod(fileMode); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// restrict removes the group's and others' permissions from the database
// file at path and its -wal and -shm files, those that exist (files made
// by an earlier version, or copied in by hand).
func restrict(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return fmt.Errorf("make %s readable by its owner only (chmod 600 it): %w", p, err)
			}
		}
	}
	return nil
}
