//go:build !unix

package hostfile

import (
	"io/fs"
	"os"
)

// openNonBlocking opens path for reading; systems without FIFOs in the
// file tree need nothing more. With noFollow, a symbolic link is refused
// by an Lstat first (these systems have no O_NOFOLLOW).
func openNonBlocking(path string, noFollow bool) (*os.File, error) {
	if noFollow {
		if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, &Error{Path: path, Kind: kindOf(st.Mode()), err: ErrNotRegular}
		}
	}
	return os.Open(path)
}
