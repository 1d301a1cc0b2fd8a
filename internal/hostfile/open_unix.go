//go:build unix

package hostfile

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading with O_NONBLOCK, so that opening
// a FIFO with no writer returns at once instead of waiting for one; the
// flag changes nothing for the regular files that are then read.
// With noFollow, a symbolic link at path is not followed (O_NOFOLLOW).
func openNonBlocking(path string, noFollow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if noFollow {
		flags |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(path, flags, 0)
}
