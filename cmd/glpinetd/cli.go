package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/glpinet/glpinet"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

// helpRequest is -h or --help: the usage goes to stdout, exit status 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return h.text }

// exitError ends a command that did its work but whose answer is "no"
// (key check on an unusable key): its message, status 1, no remedy.
type exitError struct{ msg string }

func (e *exitError) Error() string { return e.msg }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// parseFlags parses flags placed before, between or after positional
// arguments (the standard flag package stops at the first positional one)
// and returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				var b strings.Builder
				fmt.Fprintf(&b, "Usage of glpinetd %s:\n", fs.Name())
				fs.SetOutput(&b)
				fs.PrintDefaults()
				return nil, &helpRequest{b.String()}
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// output prints results as text for people or JSON for programs.
type output struct {
	w    io.Writer
	json bool
}

// result prints v as JSON, or calls text to print it for people.
func (o output) result(v any, text func(w io.Writer)) error {
	if o.json {
		enc := json.NewEncoder(o.w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(o.w, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

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
	var ue *usageError
	var help *helpRequest
	var ee *exitError
	switch {
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.text)
		return 0
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "glpinetd: %s\n", ee.msg)
		return 1
	}
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "glpinetd: %s (run 'glpinetd help' for usage)\n", ue.msg)
		return 2
	}
	msg := glpinet.ErrorMessage(err)
	if glpinet.ErrorCode(err) == glpinet.EINTERNAL {
		msg = err.Error()
	}
	fmt.Fprintf(stderr, "glpinetd: %s; %s.\n", strings.TrimSuffix(msg, "."), remedy(err))
	return 1
}

// env returns the environment variable, or def when unset. A NAME_FILE
// variable, when set, names a file holding the value (for secrets).
func env(name, def string) string {
	if f := os.Getenv(name + "_FILE"); f != "" {
		if b, err := os.ReadFile(f); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
