package main

import (
	"io"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
)

// listCommand is the command that shows the IDs and state a command of
// the group noun works on.
func listCommand(noun string) string {
	switch noun {
	case "key":
		return "glpinetd key list --account ID"
	case "subscription":
		return "glpinetd subscription list --account ID"
	case "plugin":
		return "glpinetd plugin list"
	case "operator":
		return "glpinetd operator list"
	case "user":
		return "glpinetd user list --account ID (operators: glpinetd operator list)"
	case "offer":
		return "glpinetd offer list"
	case "request":
		return "glpinetd request list --state pending"
	}
	return "glpinetd account list"
}

// remedy says what to do about an error of the command whose words are
// cmd ("key rotate"), by its code. Every command a remedy names exists: a
// test runs each with -h.
func remedy(cmd string, err error) string {
	noun, _, _ := strings.Cut(cmd, " ")
	switch glpinet.ErrorCode(err) {
	case glpinet.ENOTFOUND:
		return "check the ID, key or e-mail with " + listCommand(noun)
	case glpinet.ECONFLICT:
		return "nothing was changed; see the current state with " + listCommand(noun)
	case glpinet.EINVALID:
		if cmd == "" {
			return "correct it and run the command again"
		}
		return "correct it and run the command again (glpinetd " + cmd + " -h shows its flags)"
	case glpinet.EUNAVAILABLE:
		return "check that the database is reachable (--database, --data) and try again"
	case glpinet.ENOTIMPLEMENTED:
		return "see README.md for what this build supports"
	}
	return "fix the cause above (a path, a permission, a port in use…) and run the command again"
}

// fail prints a one-line reason and a remedy for the command args ran,
// and returns the exit status.
func fail(args []string, stdout, stderr io.Writer, err error) int {
	return cli.Fail("glpinetd", stdout, stderr, err, func(err error) string { return remedy(commandOf(args), err) })
}

// commandOf is the documented command args ran: "key rotate" for
// "key rotate 12 --grace 1h", "serve" for "serve --addr :80".
func commandOf(args []string) string {
	if len(args) > 1 && help.Find(args[0]+" "+args[1]) != nil {
		return args[0] + " " + args[1]
	}
	if len(args) > 0 && help.Find(args[0]) != nil {
		return args[0]
	}
	return ""
}
