package glpihost

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/atomicfile"
)

// BackupTimeLayout is the time format of the suffix of backups made by
// WriteFileAtomic: local_define.php.bak-20250131-142501.
const BackupTimeLayout = "20060102-150405"

// WriteFileAtomic replaces the file at path with data so that GLPI, which
// may read the file at any moment, sees either the old or the new content,
// never a partial one: data goes to a temporary file in the same
// directory, is flushed to disk, then renamed over path, and the directory
// is flushed too.
//
// An existing file keeps its permission bits and, on Unix, its owner and
// group (GLPI's web server user must still be able to read it when the
// administrator runs glpinet as root); a new file gets perm exactly, not
// masked by the umask.
//
// It never writes through a symbolic link: the directories glpinet writes
// into (GLPI's config/) belong to the web server's user, who could plant a
// link there to steer a root run into rewriting any file. A link at path
// is refused (EINVALID), and the final rename replaces the directory entry
// itself, so a link swapped in after the check is replaced, not followed.
// The temporary file is created with O_EXCL in path's own directory, so it
// cannot be a planted file or link either (see internal/atomicfile, which
// does the writing).
//
// When backup is true and the file exists, its previous version is kept
// as path.bak-YYYYMMDD-HHMMSS (now, in now's location; ".1", ".2", ... is
// appended if that name is taken), and that path is returned. Callers only
// write when the content changes, so that no needless backups pile up.
func WriteFileAtomic(path string, data []byte, perm os.FileMode, backup bool, now time.Time) (backupPath string, err error) {
	f, err := atomicfile.Create(path, perm)
	switch {
	case errors.Is(err, atomicfile.ErrLink):
		return "", glpinet.Errorf(glpinet.EINVALID, "%s is a symbolic link: glpinet does not write through links there; replace it with the file itself.", path)
	case errors.Is(err, atomicfile.ErrNotRegular):
		return "", glpinet.Errorf(glpinet.EINVALID, "%s is not a regular file.", path)
	case err != nil:
		return "", err
	}
	defer f.Abort()
	if _, err = f.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if old := f.Existing(); old != nil {
		if err = keepOwner(f.File, old); err != nil {
			return "", err
		}
		// After chown, which may clear set-id bits.
		if err = f.Chmod(old.Mode().Perm()); err != nil {
			return "", fmt.Errorf("chmod %s: %w", f.Name(), err)
		}
		if backup {
			if backupPath, err = makeBackup(path, old.Mode().Perm(), now); err != nil {
				return "", err
			}
		}
	}
	if err = f.Commit(); err != nil {
		return "", err
	}
	return backupPath, nil
}

// makeBackup keeps the current content of target under a new name. A hard
// link is instant and keeps the owner, mode and times; a copy is the
// fallback where links are not possible.
func makeBackup(target string, mode os.FileMode, now time.Time) (string, error) {
	base := target + ".bak-" + now.Format(BackupTimeLayout)
	for n := 0; n < 1000; n++ {
		name := base
		if n > 0 {
			name = fmt.Sprintf("%s.%d", base, n)
		}
		err := os.Link(target, name)
		if err == nil {
			return name, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		err = copyFile(target, name, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("back up %s: %w", target, err)
		}
		return name, nil
	}
	return "", fmt.Errorf("back up %s: too many backups named %s.*", target, base)
}

// copyFile copies src to the new file dst, failing if dst exists; dst
// appears whole or not at all.
func copyFile(src, dst string, mode os.FileMode) (err error) {
	in, err := openNoFollow(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := atomicfile.Create(dst, mode)
	if err != nil {
		return err
	}
	defer out.Abort()
	if _, err = io.Copy(out, in); err != nil {
		return err
	}
	if fi, err := in.Stat(); err == nil {
		if err := keepOwner(out.File, fi); err != nil {
			return err
		}
	}
	if err = out.Chmod(mode); err != nil {
		return err
	}
	return out.CommitNew()
}

// syncDir flushes a directory so that a rename in it survives a crash.
// Failure is ignored: the rename is done and the new content visible, so
// reporting the step as failed would mislead.
func syncDir(dir string) { _ = atomicfile.SyncDir(dir) }
