package cli

import (
	"flag"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Command describes one command of a program, for its help: the one source
// of its -h text, of the program's command list, of its remedies' checks
// and of its shell completions.
type Command struct {
	// Name is the words after the program's name, as its flag set is
	// named: "key rotate".
	Name string
	// Args are the positional arguments in the usage line: "ID".
	Args string
	// Summary is one line saying what the command does.
	Summary string
	// Details, when set, is a paragraph shown below the summary.
	Details string
	// Example is one or more command lines, without the program's name's
	// indentation (each line is indented when shown).
	Example string
}

// Help is a program's commands.
type Help struct {
	// Prog is the program's name: "glpinetd".
	Prog string
	// Summary says what the program is, in one line.
	Summary string
	// Commands are listed in this order.
	Commands []Command
	// Footer is shown after the command list (flags every command takes).
	Footer string

	mu    sync.Mutex
	flags map[string][]string // flag names per command, seen when its help was asked for
}

var (
	helpsMu sync.Mutex
	helps   = map[string]*Help{}
)

// Register makes h the help of its program: ParseFlags answers -h with it.
func Register(h *Help) {
	helpsMu.Lock()
	defer helpsMu.Unlock()
	helps[h.Prog] = h
}

func registered(prog string) *Help {
	helpsMu.Lock()
	defer helpsMu.Unlock()
	return helps[prog]
}

// Find returns the command named name, nil if there is none.
func (h *Help) Find(name string) *Command {
	for i := range h.Commands {
		if h.Commands[i].Name == name {
			return &h.Commands[i]
		}
	}
	return nil
}

// Group returns the commands whose name starts with the word noun
// ("key" → "key issue", "key rotate"…).
func (h *Help) Group(noun string) []Command {
	var out []Command
	for _, c := range h.Commands {
		if strings.HasPrefix(c.Name, noun+" ") {
			out = append(out, c)
		}
	}
	return out
}

// Text is the program's help: every command with its summary.
func (h *Help) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\nUsage:\n", h.Prog, h.Summary)
	width := 0
	for _, c := range h.Commands {
		width = max(width, len(usageLine(h.Prog, c)))
	}
	width = min(width, 56)
	for _, c := range h.Commands {
		u := usageLine(h.Prog, c)
		if len(u) > width {
			fmt.Fprintf(&b, "  %s\n  %-*s  %s\n", u, width, "", c.Summary)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, u, c.Summary)
	}
	fmt.Fprintf(&b, "\nRun '%s COMMAND -h' for a command's flags and an example.\n", h.Prog)
	if h.Footer != "" {
		b.WriteString("\n" + h.Footer)
		if !strings.HasSuffix(h.Footer, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func usageLine(prog string, c Command) string {
	return strings.TrimSpace(prog + " " + c.Name + " " + c.Args)
}

// GroupText is the help of a command group ("glpinetd key"), "" when noun
// has no subcommands.
func (h *Help) GroupText(noun string) string {
	cmds := h.Group(noun)
	if len(cmds) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s %s COMMAND [flags]\n\nCommands:\n", h.Prog, noun)
	width := 0
	for _, c := range cmds {
		width = max(width, len(strings.TrimPrefix(c.Name, noun+" ")))
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, strings.TrimPrefix(c.Name, noun+" "), c.Summary)
	}
	fmt.Fprintf(&b, "\nRun '%s %s COMMAND -h' for a command's flags and an example.\n", h.Prog, noun)
	return b.String()
}

// Subcommands lists the words after noun, for an error that says which
// exist: "issue, rotate, revoke".
func (h *Help) Subcommands(noun string) string {
	var words []string
	for _, c := range h.Group(noun) {
		words = append(words, strings.TrimPrefix(c.Name, noun+" "))
	}
	return strings.Join(words, ", ")
}

// CommandText is a command's help: usage, what it does, its flags in
// --flag form with their defaults, and an example. Commands the help does
// not describe get their usage line and flags.
func (h *Help) CommandText(fs *flag.FlagSet) string {
	c := h.Find(fs.Name())
	if c == nil {
		c = &Command{Name: fs.Name()}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [flags]\n", usageLine(h.Prog, *c))
	if c.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", c.Summary)
	}
	if c.Details != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Details))
	}
	b.WriteString("\nFlags:\n")
	b.WriteString(FlagText(fs))
	if c.Example != "" {
		b.WriteString("\nExample:\n")
		for _, l := range strings.Split(strings.TrimSpace(c.Example), "\n") {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	h.remember(fs)
	return b.String()
}

// FlagText lists fs's flags as people type them: "--grace DURATION",
// with the usage text and the default when it is not the zero value.
func FlagText(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		head := "--" + f.Name
		if name != "" {
			head += " " + valueName(name)
		}
		fmt.Fprintf(&b, "  %s\n      %s", head, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			fmt.Fprintf(&b, " (default %s)", redact(f.DefValue))
		}
		b.WriteString("\n")
	})
	return b.String()
}

// valueName is what a flag's value is called in help: the word the usage
// text gives in backquotes (DIR), or a name for its type.
func valueName(name string) string {
	switch name {
	case "string":
		return "VALUE"
	case "int", "int64", "uint", "uint64":
		return "N"
	case "duration":
		return "DURATION"
	case "float":
		return "NUMBER"
	}
	return strings.ToUpper(name)
}

// redact hides the password of a URL given as a default (a database URL
// taken from the environment): help text is pasted into tickets.
func redact(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return u.String()
	}
	return v
}

// remember records a command's flag names, for the shell completions.
func (h *Help) remember(fs *flag.FlagSet) {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	sort.Strings(names)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.flags == nil {
		h.flags = map[string][]string{}
	}
	h.flags[fs.Name()] = names
}

// Flags returns the flag names of a command whose help was shown (see
// CommandText): the completions ask each command for its help first.
func (h *Help) Flags(name string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.flags[name]
}
