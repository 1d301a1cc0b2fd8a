//go:build unix

package glpihost

import (
	"os"
	"syscall"
)

func ownerOf(fi os.FileInfo) (uid, gid int) {
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}
