//go:build !unix

package glpihost

// lockDir does nothing where flock does not exist: glpinet runs on the
// Unix hosts GLPI runs on.
func lockDir(string, bool) (unlock func(), ok bool, err error) { return func() {}, true, nil }
