package main

import (
	"io"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
)

// remedy says what to do about an error, by its code.
func remedy(err error) string {
	switch glpinet.ErrorCode(err) {
	case glpinet.ENOTFOUND:
		return "check the ID or key with the matching list command (e.g. glpinetd account list)"
	case glpinet.ECONFLICT:
		return "nothing was changed; see the current state with the matching list command"
	case glpinet.EINVALID:
		return "correct it and run the command again"
	case glpinet.EUNAVAILABLE:
		return "check that the database is reachable (--database, --data) and try again"
	case glpinet.ENOTIMPLEMENTED:
		return "see README.md for what this build supports"
	}
	return "fix the cause above (a path, a permission, a port in use…) and run the command again"
}

// fail prints a one-line reason and a remedy, and returns the exit status.
func fail(stdout, stderr io.Writer, err error) int {
	return cli.Fail("glpinetd", stdout, stderr, err, remedy)
}
