package pluginarchive

import (
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
)

// Modes of what Extract writes. They are set explicitly, whatever the
// umask and whatever the archive stores: GLPI's web server usually runs as
// another user than the one extracting, and must be able to read every
// file and traverse every folder; nothing needs to be writable by others.
const (
	FileMode = 0o644
	ExecMode = 0o755 // files the archive marks executable
	DirMode  = 0o755
)

// Extract validates the plugin archive r exactly as [Inspect] does and,
// only when it is acceptable, writes its single top folder into dir, which
// must exist: the plugin ends up in dir/<key>. Nothing that exists is ever
// overwritten; dir/<key> must not exist yet. Files get [FileMode] (or
// [ExecMode] when the archive marks them executable), folders [DirMode].
//
// The archive is read twice. The first pass (Inspect) checks everything,
// setup.php included, so that a rejected archive writes nothing at all.
// The second pass extracts through the same internal walk, so that every
// byte written went through the same checks, and must find the same
// SHA-256: a source that changed between the passes is an error. When
// anything fails during the second pass, dir/<key> is removed before the
// error is returned, so no half-written plugin folder is left behind.
//
// Errors are those of Inspect, plus wrapped I/O errors of the writes.
func Extract(r io.ReaderAt, size int64, filename string, lim Limits, dir string) (*Manifest, error) {
	m, err := Inspect(r, size, filename, lim)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, m.Key)
	if err := os.Mkdir(root, DirMode); err != nil {
		return nil, fmt.Errorf("pluginarchive: extract: %w", err)
	}
	if err := extractInto(r, size, filename, lim, dir, root, m); err != nil {
		// Only root is removed: Mkdir above proved it was ours.
		os.RemoveAll(root)
		return nil, err
	}
	return m, nil
}

// extractInto is the second pass of Extract: it writes every entry under
// root (dir/<key>, already created) and then fixes the folders' modes.
func extractInto(r io.ReaderAt, size int64, filename string, lim Limits, dir, root string, m *Manifest) error {
	res, err := walk(r, size, filename, lim, func(e entry, body io.Reader) error {
		path := filepath.Join(dir, filepath.FromSlash(e.Name))
		// walk accepts only relative names without ".." under the key's
		// folder; checked again here because a mistake would write
		// outside the plugin.
		if path != root && !strings.HasPrefix(path, root+string(filepath.Separator)) {
			return fmt.Errorf("pluginarchive: extract: %q resolves outside %s", e.Raw, root)
		}
		if e.Dir {
			return mkdirs(path)
		}
		if err := mkdirs(filepath.Dir(path)); err != nil {
			return err
		}
		return writeEntry(path, body, e.Exec)
	})
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(res.SHA256); got != m.SHA256 {
		return glpinet.Errorf(glpinet.EINVALID, "the archive %s changed while it was being extracted", filename)
	}
	// MkdirAll's modes went through the umask: set them as documented.
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return os.Chmod(path, DirMode)
	})
}

// mkdirs creates a folder and its missing parents.
func mkdirs(path string) error {
	if err := os.MkdirAll(path, DirMode); err != nil {
		return fmt.Errorf("pluginarchive: extract: %w", err)
	}
	return nil
}

// writeEntry creates the file at path (which must not exist) with body.
func writeEntry(path string, body io.Reader, exec bool) error {
	mode := os.FileMode(FileMode)
	if exec {
		mode = ExecMode
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("pluginarchive: extract: %w", err)
	}
	_, err = io.Copy(f, body)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("pluginarchive: extract: %w", cerr)
	}
	return err
}

// ExtractFile is Extract for the archive file at path; the file name (the
// last element of path) selects the format unless filename is given.
func ExtractFile(path, filename string, lim Limits, dir string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pluginarchive: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pluginarchive: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("pluginarchive: %s is not a regular file", path)
	}
	if filename == "" {
		filename = filepath.Base(path)
	}
	return Extract(f, fi.Size(), filename, lim, dir)
}
