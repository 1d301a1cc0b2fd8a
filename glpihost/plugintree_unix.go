//go:build unix

package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// chownTree gives every file and folder under root the owner and group of
// like (the marketplace directory): glpinet often runs as root, while GLPI
// reads its plugins as the web server user.
func chownTree(root string, like os.FileInfo) error {
	st, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("give %s the owner of %s: %w", path, like.Name(), err)
		}
		return nil
	})
}

// flushFS writes the extracted files to disk before the swap makes them
// GLPI's, so that a crash right after cannot leave a plugin of empty
// files. One sync(2) costs far less than an fsync per file of a plugin
// with thousands of them.
func flushFS(string) { syscall.Sync() }

// processAlive reports whether a process with that id exists (EPERM: it
// does, under another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
