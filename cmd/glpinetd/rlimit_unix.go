//go:build unix

package main

import "syscall"

// reservedFiles are the file descriptors kept for the database, archives
// being sent and the log when connections are counted against the limit.
const reservedFiles = 256

// openFilesLimit returns the process's limit of open files (Go raises the
// soft limit to the hard one at start), 0 when unknown.
func openFilesLimit() int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur > 1<<30 {
		return 0
	}
	return int(l.Cur)
}
