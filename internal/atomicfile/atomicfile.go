// Package atomicfile is the one way glpinet's programs replace or create a
// file whose content must never be seen half written, nor lost by a crash
// once reported written: GLPI's config files and glpicrypt.key, the
// catalogue signing key, published archives, backups and restored
// databases.
//
// A File is a temporary file created with O_EXCL in the destination's own
// folder (so it cannot be a planted file or link, and the final rename
// stays on one file system), named ".NAME.tmp-RANDOM" so that cleanups can
// recognise it. Commit flushes it, renames it over the destination (or,
// with CommitNew, links it there only if nothing is there yet) and flushes
// the folder, so that the rename survives a crash.
//
// Every operation goes through an os.Root opened on the destination's
// folder: a symbolic link planted at the destination is refused
// (ErrLink), and one swapped in after that check is replaced, not
// followed, by the rename. The folders glpinet writes into on a GLPI host
// belong to the web server's user, who could otherwise steer a root run
// into rewriting any file.
package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrLink is wrapped by the error of Create for a destination that is a
// symbolic link.
var ErrLink = errors.New("is a symbolic link")

// ErrNotRegular is wrapped by the error of Create for a destination that
// exists and is not a regular file (a directory, a FIFO, a device).
var ErrNotRegular = errors.New("is not a regular file")

// TempPattern is the glob that matches the temporary files of a File
// whose destination is named name, for cleanups after a crash.
func TempPattern(name string) string { return "." + name + ".tmp-*" }

// File is the new content of a destination, written to a temporary file
// until Commit. Write to it through the embedded *os.File but never Close
// it: Commit or Abort does.
type File struct {
	*os.File
	root    *os.Root
	ownRoot bool
	name    string // the destination, relative to root
	tmp     string // the temporary file, relative to root
	path    string // the destination as callers name it, for messages
	old     fs.FileInfo
	done    bool
}

// Create starts the replacement of the file at path: the returned File
// is a new temporary file in path's folder with permission bits perm
// exactly (not masked by the umask). path must not be a symbolic link
// (ErrLink) nor anything but a regular file (ErrNotRegular); it may not
// exist yet.
func Create(path string, perm os.FileMode) (*File, error) {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	f, err := create(root, filepath.Base(path), path, perm)
	if err != nil {
		root.Close()
		return nil, err
	}
	f.ownRoot = true
	return f, nil
}

// CreateAll is Create, making path's missing folders first with
// permission bits dirPerm (before the umask), as os.MkdirAll does.
func CreateAll(path string, perm, dirPerm os.FileMode) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return nil, err
	}
	return Create(path, perm)
}

// CreateIn is Create for the file name inside root (name may hold
// folders, which root confines). root stays the caller's to close, after
// Commit or Abort.
func CreateIn(root *os.Root, name string, perm os.FileMode) (*File, error) {
	return create(root, name, filepath.Join(root.Name(), name), perm)
}

func create(root *os.Root, name, path string, perm os.FileMode) (*File, error) {
	old, err := root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return nil, err
	case old.Mode()&fs.ModeSymlink != 0:
		return nil, &fs.PathError{Op: "replace", Path: path, Err: ErrLink}
	case !old.Mode().IsRegular():
		return nil, &fs.PathError{Op: "replace", Path: path, Err: ErrNotRegular}
	}
	dir, base := filepath.Split(name)
	for range 100 {
		tmp := filepath.Join(dir, "."+base+".tmp-"+rand.Text()[:12])
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create a temporary file next to %s: %w", path, err)
		}
		a := &File{File: f, root: root, name: name, tmp: tmp, path: path, old: old}
		if err := f.Chmod(perm.Perm()); err != nil {
			a.Abort()
			return nil, err
		}
		return a, nil
	}
	return nil, fmt.Errorf("create a temporary file next to %s: too many taken names", path)
}

// Existing returns what the destination was when Create checked it (a
// regular file), or nil if it did not exist.
func (f *File) Existing() fs.FileInfo { return f.old }

// Commit flushes the new content, renames it over the destination and
// flushes the folder. On error the temporary file is removed and the
// destination is unchanged (or, if only the folder flush failed, already
// replaced).
func (f *File) Commit() error { return f.commit(false) }

// CommitNew is Commit for a destination that must not exist: if one
// appeared since Create, it is left alone and the error wraps
// fs.ErrExist. Two processes creating the same file thus never overwrite
// each other: the first one's content stays.
func (f *File) CommitNew() error { return f.commit(true) }

func (f *File) commit(noReplace bool) (err error) {
	if f.done {
		return fmt.Errorf("replace %s: already committed or aborted", f.path)
	}
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.File.Name(), err)
	}
	if err := f.File.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.File.Name(), err)
	}
	if noReplace {
		err = f.linkNew()
	} else if err = f.root.Rename(f.tmp, f.name); err != nil {
		err = fmt.Errorf("replace %s: %w", f.path, err)
	}
	if err != nil {
		return err
	}
	f.done = true
	defer f.closeRoot()
	return syncDir(f.root, filepath.Dir(f.name))
}

// linkNew links the temporary file at the destination, which must not
// exist, then removes the temporary name.
func (f *File) linkNew() error {
	err := f.root.Link(f.tmp, f.name)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: check, then rename (a
		// creation racing between the two is overwritten, the best
		// such a system allows).
		if _, lerr := f.root.Lstat(f.name); lerr == nil {
			err = &fs.PathError{Op: "create", Path: f.path, Err: fs.ErrExist}
		} else if err = f.root.Rename(f.tmp, f.name); err == nil {
			return nil
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &fs.PathError{Op: "create", Path: f.path, Err: fs.ErrExist}
		}
		return fmt.Errorf("create %s: %w", f.path, err)
	}
	_ = f.root.Remove(f.tmp)
	return nil
}

// Abort removes the temporary file; the destination is left as it was.
// It is a no-op after Commit, so that it can be deferred right after
// Create.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.File.Close()
	_ = f.root.Remove(f.tmp)
	f.closeRoot()
}

func (f *File) closeRoot() {
	if f.ownRoot {
		_ = f.root.Close()
	}
}

// WriteFile replaces the file at path with data, atomically (Create,
// Write, Commit).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	return f.writeAll(data)
}

// WriteFileIn is WriteFile for the file name inside root (see CreateIn).
func WriteFileIn(root *os.Root, name string, data []byte, perm os.FileMode) error {
	f, err := CreateIn(root, name, perm)
	if err != nil {
		return err
	}
	return f.writeAll(data)
}

// writeAll writes data and commits it.
func (f *File) writeAll(data []byte) error {
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir flushes the folder at path, so that the creations, renames and
// removals made in it survive a crash.
func SyncDir(path string) error {
	root, err := os.OpenRoot(path)
	if err != nil {
		return err
	}
	defer root.Close()
	return syncDir(root, ".")
}

func syncDir(root *os.Root, dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be opened for a flush there
	}
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync the folder %s: %w", filepath.Join(root.Name(), dir), err)
	}
	return nil
}
