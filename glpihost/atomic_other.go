//go:build !unix

package glpihost

import "os"

// openNoFollow opens path for reading (these systems have no O_NOFOLLOW).
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
