package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet/internal/atomicfile"
)

type treeStats struct {
	files, linked int
	bytes         int64
}

// copyTree copies the regular files under src to dst, as hard links when
// both are on one file system (archive files are immutable: they are
// written once, under a path that names their content, and never changed),
// as synced copies otherwise. Dot files are skipped (uploads in progress).
// With skipExisting, files already in dst are left alone; otherwise dst
// must be new. A missing src is an empty tree.
func copyTree(ctx context.Context, src, dst string, skipExisting bool) (treeStats, error) {
	var st treeStats
	var dirs []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if path == src && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != src {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			dirs = append(dirs, target)
			return os.MkdirAll(target, 0o750)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", path)
		}
		if skipExisting {
			if _, err := os.Lstat(target); err == nil {
				return nil
			}
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		linked, err := linkOrCopy(path, target)
		if err != nil {
			return err
		}
		st.files++
		st.bytes += fi.Size()
		if linked {
			st.linked++
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	for _, d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			return st, err
		}
	}
	return st, nil
}

// linkOrCopy makes dst a hard link to src, or a copy when linking fails
// (another file system, or one without links), written atomically.
func linkOrCopy(src, dst string) (linked bool, err error) {
	if os.Link(src, dst) == nil {
		return true, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	tmp, err := atomicfile.Create(dst, 0o640)
	if err != nil {
		return false, err
	}
	defer tmp.Abort()
	if _, err := io.Copy(tmp, in); err != nil {
		return false, err
	}
	return false, tmp.Commit()
}

// copySynced copies the file src into f, checks its SHA-256 and syncs f.
func copySynced(f *os.File, src, wantSHA256 string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), in); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
		return fmt.Errorf("%s changed while it was copied", src)
	}
	return f.Sync()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
