//go:build unix

package hostfile

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading with O_NONBLOCK, so that opening
// a FIFO with no writer returns at once instead of waiting for one; the
// flag changes nothing for the regular files that are then read.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
