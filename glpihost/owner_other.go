//go:build !unix

package glpihost

import "os"

// keepOwner does nothing where files have no Unix owner.
func keepOwner(*os.File, os.FileInfo) error { return nil }

// giveOwner does nothing where files have no Unix owner.
func giveOwner(*os.File, os.FileInfo) error { return nil }

// fileOwner is -1, -1 where files have no Unix owner.
func fileOwner(os.FileInfo) (uid, gid int) { return -1, -1 }
