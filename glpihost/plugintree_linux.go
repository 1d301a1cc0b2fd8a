//go:build linux

package glpihost

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchangeDirs swaps a and b with renameat2(RENAME_EXCHANGE) (Linux 3.15,
// ext4, xfs, btrfs, tmpfs…): both exist at every moment, so a kill can
// never leave GLPI without the plugin's directory. File systems that do
// not support it answer EINVAL, old kernels ENOSYS.
func exchangeDirs(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return errNoExchange
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}
