package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Shells are the shells Completion writes scripts for.
var Shells = []string{"bash", "zsh", "fish"}

// words maps each command prefix typed so far ("", "key", "key rotate")
// to what may follow it: subcommand words, or a command's flags.
func (h *Help) words() map[string][]string {
	next := map[string][]string{}
	seen := map[string]bool{}
	for _, c := range h.Commands {
		parts := strings.Fields(c.Name)
		for i := range parts {
			prefix, word := strings.Join(parts[:i], " "), parts[i]
			if key := prefix + "\x00" + word; !seen[key] {
				seen[key] = true
				next[prefix] = append(next[prefix], word)
			}
		}
		next[c.Name] = append(next[c.Name], h.Flags(c.Name)...)
	}
	next[""] = append(next[""], "help")
	return next
}

// Completion returns the completion script of the program for shell (one
// of Shells). Commands and subcommands complete everywhere; a command's
// flags complete once its help was shown (see Flags): the caller asks every
// command for its help first.
func (h *Help) Completion(shell string) (string, error) {
	next := h.words()
	keys := make([]string, 0, len(next))
	for k := range next {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fn := "_" + strings.ReplaceAll(h.Prog, "-", "_")
	switch shell {
	case "bash", "zsh":
		var b strings.Builder
		if shell == "zsh" {
			// zsh runs bash completion functions through bashcompinit.
			fmt.Fprintf(&b, "#compdef %s\nautoload -U +X bashcompinit && bashcompinit\n", h.Prog)
		}
		fmt.Fprintf(&b, "# %s completion for %s: source it, or install it in your shell's completion folder.\n", shell, h.Prog)
		// Keys start with @: bash refuses an empty one (the root).
		fmt.Fprintf(&b, "%s() {\n\tlocal -A next=(\n", fn)
		for _, k := range keys {
			fmt.Fprintf(&b, "\t\t[%s]=%s\n", shellQuote("@"+k), shellQuote(strings.Join(next[k], " ")))
		}
		b.WriteString("\t)\n")
		b.WriteString("\tlocal cmd=\"\" w i cur=\"${COMP_WORDS[COMP_CWORD]}\"\n")
		b.WriteString("\tfor ((i = 1; i < COMP_CWORD; i++)); do\n")
		b.WriteString("\t\tw=\"${COMP_WORDS[i]}\"\n")
		b.WriteString("\t\t[[ $w == -* ]] && continue\n")
		b.WriteString("\t\tif [[ -n \"${next[\"@${cmd:+$cmd }$w\"]+x}\" ]]; then cmd=\"${cmd:+$cmd }$w\"; fi\n")
		b.WriteString("\tdone\n")
		b.WriteString("\tCOMPREPLY=($(compgen -W \"${next[\"@$cmd\"]}\" -- \"$cur\"))\n")
		fmt.Fprintf(&b, "}\ncomplete -F %s %s\n", fn, h.Prog)
		return b.String(), nil
	case "fish":
		var b strings.Builder
		fmt.Fprintf(&b, "# fish completion for %s: save it as ~/.config/fish/completions/%s.fish.\n", h.Prog, h.Prog)
		// The function prints the command typed so far, the way the bash
		// script finds it: known words only, flags and arguments skipped.
		fmt.Fprintf(&b, "function __%s_next\n\tswitch $argv[1]\n", fn)
		for _, k := range keys {
			fmt.Fprintf(&b, "\t\tcase %s\n\t\t\techo %s\n", fishQuote(k), fishQuote(strings.Join(next[k], " ")))
		}
		b.WriteString("\tend\nend\n")
		fmt.Fprintf(&b, "function __%s_complete\n", fn)
		b.WriteString("\tset -l tokens (commandline -opc)\n\tset -l cmd ''\n")
		b.WriteString("\tfor w in $tokens[2..-1]\n")
		b.WriteString("\t\tstring match -q -- '-*' $w; and continue\n")
		b.WriteString("\t\tset -l try (string trim -- \"$cmd $w\")\n")
		fmt.Fprintf(&b, "\t\tif test -n \"$(__%s_next $try)\"\n\t\t\tset cmd $try\n\t\tend\n\tend\n", fn)
		fmt.Fprintf(&b, "\tstring split ' ' -- (__%s_next $cmd)\nend\n", fn)
		fmt.Fprintf(&b, "complete -c %s -f -a '(__%s_complete)'\n", h.Prog, fn)
		return b.String(), nil
	}
	return "", Usagef("no completion for shell %q: choose %s", shell, strings.Join(Shells, ", "))
}

// shellQuote quotes s for bash and zsh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// RunCompletion is the "completion SHELL" command of h's program: it asks
// every command for its help through askHelp (run the program with the
// command's words and -h, output discarded), so that the script completes
// flags too, and prints the script for the shell args name.
func (h *Help) RunCompletion(args []string, stdout io.Writer, askHelp func(args []string)) error {
	c := h.Find("completion")
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") && c != nil {
		return &HelpRequest{Text: fmt.Sprintf("Usage: %s completion bash|zsh|fish\n\n%s\n\nExample:\n  %s\n", h.Prog, c.Summary, c.Example)}
	}
	if len(args) != 1 {
		return Usagef("completion takes one shell: %s", strings.Join(Shells, ", "))
	}
	for _, cmd := range h.Commands {
		if cmd.Name != "completion" {
			askHelp(append(strings.Fields(cmd.Name), "-h"))
		}
	}
	script, err := h.Completion(args[0])
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, script)
	return err
}
