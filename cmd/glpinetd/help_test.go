package main

import (
	"bytes"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
)

// commandLine is glpinetd's command line, run in-process.
func commandLine(t *testing.T) testkit.CLI {
	return testkit.CLI{Help: help, Run: func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}}
}

// TestEveryCommandHasHelp: each command and group explains itself, and no
// command lacks its help (run refuses to start otherwise).
func TestEveryCommandHasHelp(t *testing.T) { commandLine(t).CheckCommands(t) }

// TestRemediesNameExistingCommands: every command an error message or a
// remedy sends a person to exists and answers -h.
func TestRemediesNameExistingCommands(t *testing.T) {
	var remedies []string
	for _, c := range help.Commands {
		for _, code := range []string{glpinet.ENOTFOUND, glpinet.ECONFLICT, glpinet.EINVALID, glpinet.EUNAVAILABLE, glpinet.EINTERNAL} {
			remedies = append(remedies, remedy(c.Name, glpinet.Errorf(code, "x")))
		}
	}
	commandLine(t).CheckMentions(t, ".", remedies...)
}

// TestCompletion: the scripts complete commands, subcommands and a
// command's flags in real shells.
func TestCompletion(t *testing.T) {
	commandLine(t).CheckCompletion(t, map[string]string{
		"glpinetd ke":                    "key",
		"glpinetd key ro":                "rotate",
		"glpinetd key rotate 12 --gr":    "--grace",
		"glpinetd --json key li":         "list",
		"glpinetd user ":                 "list password disable enable verify",
		"glpinetd request ":              "list grant decline",
		"glpinetd request decline 7 --r": "--reason",
	})
}
