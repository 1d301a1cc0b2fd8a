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
	want, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if got, ok := fi.Sys().(*syscall.Stat_t); ok && got.Uid == want.Uid && got.Gid == want.Gid {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("cannot give the new %s the owner %d:%d of the file it replaces (run glpinet as root or as that user): %w",
			old.Name(), want.Uid, want.Gid, err)
	}
	return nil
}

// giveOwner gives the new file f the owner and group of the folder
// described by dir, where it is created. It only calls chown when they
// differ, so that the folder's own user creating a file does not fail.
func giveOwner(f *os.File, dir os.FileInfo) error {
	want, ok := dir.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if got, ok := fi.Sys().(*syscall.Stat_t); ok && got.Uid == want.Uid && got.Gid == want.Gid {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("cannot give the new file the owner %d:%d of the folder %s, so that the web server reads it (run glpinet as root or as that user): %w",
			want.Uid, want.Gid, dir.Name(), err)
	}
	return nil
}

// fileOwner returns the owner and group of the file described by fi.
func fileOwner(fi os.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}
