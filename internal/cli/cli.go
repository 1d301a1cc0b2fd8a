// Package cli holds what glpinet's two commands share about their command
// line: flags anywhere, JSON or text output, one-line errors with a remedy
// and the exit statuses that go with them, progress on terminals.
package cli

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

// UsageError is a mistake in the command line: exit status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// HelpRequest is -h or --help: the text goes to standard output, exit
// status 0.
type HelpRequest struct{ Text string }

func (h *HelpRequest) Error() string { return h.Text }

// ExitError ends a command that did its work but whose answer is "no"
// (a key that is not usable, a failed check): its message, status 1.
type ExitError struct{ Msg string }

func (e *ExitError) Error() string { return e.Msg }

// ParseFlags parses flags placed before, between or after positional
// arguments (the standard flag package stops at the first positional one)
// and returns the positional arguments. prog names the command in help.
func ParseFlags(prog string, fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				h := registered(prog)
				if h == nil {
					h = &Help{Prog: prog}
				}
				return nil, &HelpRequest{h.CommandText(fs)}
			}
			return nil, Usagef("%s: %v", fs.Name(), err)
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

// MoveLeadingFlags lets common flags come before the command ("glpinet
// --json key show") by moving them after it; valueFlags names the flags
// that take a value ("--glpi-root").
func MoveLeadingFlags(args []string, valueFlags map[string]bool) []string {
	var lead []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" && args[0] != "--" {
		name, _, hasValue := strings.Cut(args[0], "=")
		n := 1
		if valueFlags[strings.TrimLeft(name, "-")] && !hasValue && len(args) > 1 {
			n = 2
		}
		lead, args = append(lead, args[:n]...), args[n:]
	}
	if len(args) == 0 {
		return lead
	}
	return append(args[:len(args):len(args)], lead...)
}

// Output prints results as text for people or JSON for programs.
type Output struct {
	W    io.Writer
	JSON bool
}

// Result prints v as JSON, or calls text to print it for people (through
// a tabwriter: columns may be separated by tabs). Either way no control
// or bidirectional formatting character reaches the terminal raw: JSON
// has them as \u escapes, text has them escaped visibly (fields from a
// server should also go through Clean, which removes line breaks).
func (o Output) Result(v any, text func(w io.Writer)) error {
	if o.JSON {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = o.W.Write(append(escapeJSON(data), '\n'))
		return err
	}
	tw := tabwriter.NewWriter(o.W, 0, 4, 2, ' ', 0)
	text(&safeWriter{w: tw})
	return tw.Flush()
}

// Fail prints err as one line on stderr, with the remedy the command gives
// for it, and returns the exit status: 0 for help, 2 for usage mistakes,
// 1 otherwise.
func Fail(prog string, stdout, stderr io.Writer, err error, remedy func(error) string) int {
	var ue *UsageError
	var help *HelpRequest
	var ee *ExitError
	switch {
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.Text)
		return 0
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "%s: %s\n", prog, Clean(ee.Msg))
		return 1
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s (run '%s help' for usage)\n", prog, Clean(ue.Msg), prog)
		return 2
	}
	// Messages may quote a server's answer: one clean line, whatever it sent.
	fmt.Fprintf(stderr, "%s: %s; %s.\n", prog, strings.TrimSuffix(Clean(Message(err)), "."), remedy(err))
	return 1
}

// Message is what a person is told of err: an application error's message,
// or an internal error's text (the administrator needs the path or cause).
func Message(err error) string {
	var e *glpinet.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Env returns the environment variable, or def when unset. A NAME_FILE
// variable, when set, names a file holding the value (for secrets).
func Env(name, def string) string {
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

// CheckEnvFiles returns an error naming the first NAME_FILE variable,
// among those whose name starts with prefix, whose file cannot be read:
// Env falls back to NAME then, and a secret silently left unset (a
// database password file mounted at the wrong path) is worse than a
// refusal to start that names the file.
func CheckEnvFiles(prefix string) error {
	for _, kv := range os.Environ() {
		name, path, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, "_FILE") || path == "" {
			continue
		}
		if _, err := os.ReadFile(path); err != nil {
			return glpinet.Errorf(glpinet.EINVALID, "%s names a file that cannot be read (%v)", name, errors.Unwrap(err))
		}
	}
	return nil
}

// Count writes n with the singular or plural form of a noun:
// Count(1, "check", "checks") is "1 check".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
