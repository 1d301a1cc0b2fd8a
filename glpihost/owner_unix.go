//go:build unix

package glpihost

import (
	"fmt"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of the file described by old. It
// only calls chown when they differ, so that an unprivileged user
// rewriting their own file does not fail.
func keepOwner(f *os.File, old os.FileInfo) error {
	uid, gid, err := chownLike(f, old)
	if err != nil {
		return fmt.Errorf("cannot give the new %s the owner %d:%d of the file it replaces (run glpinet as root or as that user): %w",
			old.Name(), uid, gid, err)
	}
	return nil
}

// giveOwner gives the new file f the owner and group of the folder
// described by dir, where it is created. It only calls chown when they
// differ, so that the folder's own user creating a file does not fail.
func giveOwner(f *os.File, dir os.FileInfo) error {
	uid, gid, err := chownLike(f, dir)
	if err != nil {
		return fmt.Errorf("cannot give the new file the owner %d:%d of the folder %s, so that the web server reads it (run glpinet as root or as that user): %w",
			uid, gid, dir.Name(), err)
	}
	return nil
}

// chownLike gives f the owner and group of ref, unless it has them
// already, and returns them.
func chownLike(f *os.File, ref os.FileInfo) (uid, gid uint32, err error) {
	want, ok := ref.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return want.Uid, want.Gid, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if got, ok := fi.Sys().(*syscall.Stat_t); ok && got.Uid == want.Uid && got.Gid == want.Gid {
		return want.Uid, want.Gid, nil
	}
	return want.Uid, want.Gid, f.Chown(int(want.Uid), int(want.Gid))
}

// fileOwner returns the owner and group of the file described by fi.
func fileOwner(fi os.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}
