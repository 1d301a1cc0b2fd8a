//go:build unix

package glpihost

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an advisory lock (flock) on the directory dir, exclusive
// or shared, without waiting: ok is false when another process holds a
// conflicting one. The lock belongs to the open descriptor, so the kernel
// drops it when the process dies, even by SIGKILL: a crash never leaves a
// stale lock behind, unlike a lock file.
func lockDir(dir string, exclusive bool) (unlock func(), ok bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	} else if err != nil {
		f.Close()
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
