package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/testkit"
)

// commandLine is glpinet's command line, run in-process.
func commandLine(t *testing.T) testkit.CLI {
	return testkit.CLI{Help: help, Run: func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}}
}

// TestEveryCommandHasHelp: each command and group explains itself.
func TestEveryCommandHasHelp(t *testing.T) { commandLine(t).CheckCommands(t) }

// TestRemediesNameExistingCommands: every command an error message or a
// remedy sends a person to exists and answers -h.
func TestRemediesNameExistingCommands(t *testing.T) {
	var remedies []string
	for _, code := range []string{glpinet.ENOTFOUND, glpinet.ECONFLICT, glpinet.EINVALID, glpinet.EUNAVAILABLE, glpinet.EINTERNAL} {
		remedies = append(remedies, remedy(glpinet.Errorf(code, "x")))
	}
	// glpihost's refusals carry their own remedies.
	for _, err := range []interface{ Remedy() string }{
		&glpihost.PendingRotationError{}, &glpihost.PendingRotationError{Running: true},
		&glpihost.MissingKeyError{}, &glpihost.MissingKeyError{Known: true}, &glpihost.MissingKeyError{Known: true, Values: []string{"x"}},
		&glpihost.CreateKeyRefusal{Exists: true}, &glpihost.CreateKeyRefusal{Exists: true, KeyErr: errors.New("x")},
		&glpihost.CreateKeyRefusal{Pending: "x"}, &glpihost.CreateKeyRefusal{Values: []string{"x"}},
	} {
		remedies = append(remedies, err.Remedy())
	}
	commandLine(t).CheckMentions(t, ".", append(remedies, networkRemedy)...)
}

// TestCompletion: the scripts complete commands, subcommands and a
// command's flags in real shells.
func TestCompletion(t *testing.T) {
	commandLine(t).CheckCompletion(t, map[string]string{
		"glpinet plu":                  "plugins",
		"glpinet plugins up":           "update",
		"glpinet plugins update --al":  "--all",
		"glpinet --json key ":          "set show check remove",
		"glpinet cryptkey check --sec": "--secret",
		"glpinet cryptkey cr":          "create",
		"glpinet cryptkey create --j":  "--json",
	})
}
