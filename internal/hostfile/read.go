// Package hostfile reads the small files of a GLPI installation
// (glpicrypt.key, config_db.php, local_define.php, setup.php…) the way a
// tool running as root on that host must: the files belong to the web
// server's user, so any of them may have been replaced by a FIFO that
// blocks forever, a device that never ends (/dev/zero) or a file of
// gigabytes. Only regular files are read, and never more than a limit.
package hostfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the error of Read for anything but a
// regular file (FIFO, socket, device, directory).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error of Read for a file past its limit.
var ErrTooLarge = errors.New("file too large")

// Error says why a file was refused. It wraps ErrNotRegular or
// ErrTooLarge.
type Error struct {
	Path string
	// Kind names what the file is instead of a regular file ("FIFO",
	// "device"…), empty for a file too large.
	Kind string
	// Limit is the largest size accepted, for ErrTooLarge.
	Limit int64
	err   error
}

func (e *Error) Error() string {
	if errors.Is(e.err, ErrTooLarge) {
		return fmt.Sprintf("%s is larger than %d bytes: it is not the file GLPI writes, so glpinet does not read it", e.Path, e.Limit)
	}
	return fmt.Sprintf("%s is a %s, not a regular file: glpinet reads only regular files there", e.Path, e.Kind)
}

func (e *Error) Unwrap() error { return e.err }

// Read returns the content of the regular file at path, refusing any
// other kind of file without blocking on it, and any file larger than
// limit bytes without reading more than limit+1 of them. A missing file
// gives an error that matches fs.ErrNotExist. Symbolic links are followed;
// callers that must not follow them check with os.Lstat first.
func Read(path string, limit int64) ([]byte, error) {
	return read(path, limit, false)
}

// ReadNoFollow is Read for a file that must not be a symbolic link: one
// is refused as not a regular file. The check and the read are one open
// (O_NOFOLLOW), so that a link swapped in between cannot redirect it, as
// a separate Lstat could not prevent.
func ReadNoFollow(path string, limit int64) ([]byte, error) {
	return read(path, limit, true)
}

func read(path string, limit int64, noFollow bool) ([]byte, error) {
	f, err := openNonBlocking(path, noFollow)
	if err != nil {
		if noFollow {
			if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
				return nil, &Error{Path: path, Kind: kindOf(st.Mode()), err: ErrNotRegular}
			}
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Path: path, Kind: kindOf(st.Mode()), err: ErrNotRegular}
	}
	if st.Size() > limit {
		return nil, &Error{Path: path, Limit: limit, err: ErrTooLarge}
	}
	// The size may change between Stat and the read: read no more than
	// the limit allows, plus one byte to tell.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &Error{Path: path, Limit: limit, err: ErrTooLarge}
	}
	return b, nil
}

// CheckRegular reports an *Error unless path (not followed if it is a
// symbolic link) is a regular file; a missing file gives an error that
// matches fs.ErrNotExist.
func CheckRegular(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &Error{Path: path, Kind: kindOf(st.Mode()), err: ErrNotRegular}
	}
	return nil
}

// kindOf names a file mode for messages.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
