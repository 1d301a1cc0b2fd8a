//go:build !linux

package glpihost

// exchangeDirs is not available here: InstallPlugin swaps with two
// renames, and CleanPluginLeftovers repairs a kill between them.
func exchangeDirs(a, b string) error { return errNoExchange }
