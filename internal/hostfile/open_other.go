//go:build !unix

package hostfile

import "os"

// openNonBlocking opens path for reading; systems without FIFOs in the
// file tree need nothing more.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
