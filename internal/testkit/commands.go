package testkit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glpinet/glpinet/internal/cli"
)

// CommandMentions returns the command lines of prog ("glpinetd key list")
// that the string literals of the non-test Go files in dir name, such as
// the remedies and examples of error messages: a test then runs each with
// -h, so that no message sends a person to a command that does not exist.
// A mention ends at its first word that is not a plain lower-case word
// (a flag, an argument, a placeholder).
func CommandMentions(t testing.TB, dir, prog string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range Mentions(s, prog) {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
			return true
		})
	}
	return out
}

// CommandIn returns the command a mention names: its longest leading words
// that are a command or a group of h ("db check" for "db check checks a").
// A mention whose first word is neither is prose ("glpinetd is running"):
// "", true. A group followed by a word that is none of its commands is a
// wrong mention: false.
func CommandIn(h *cli.Help, mention string) (string, bool) {
	words := strings.Fields(mention)
	if len(words) == 0 || h.Find(words[0]) == nil && len(h.Group(words[0])) == 0 {
		return "", true
	}
	if len(words) > 1 && h.Find(words[0]+" "+words[1]) != nil {
		return words[0] + " " + words[1], true
	}
	if h.Find(words[0]) != nil || len(words) == 1 {
		return words[0], true
	}
	return "", false
}

var word = regexp.MustCompile(`^[a-z][a-z-]*$`)

// Mentions returns the command lines of prog named in text: prog followed
// by its plain lower-case words.
func Mentions(text, prog string) []string {
	var out []string
	fields := strings.Fields(text)
	for i, f := range fields {
		if strings.Trim(f, "'\"`(") != prog {
			continue
		}
		var words []string
		for _, w := range fields[i+1:] {
			w = strings.TrimRight(w, ".,;:)'\"`")
			if !word.MatchString(w) {
				break
			}
			words = append(words, w)
			if strings.ContainsAny(fields[i+len(words)], ".,;:)'\"`") {
				break // the mention ended with the word's punctuation
			}
		}
		if len(words) > 0 {
			out = append(out, strings.Join(words, " "))
		}
	}
	return out
}

// CLI is a program's command line under test.
type CLI struct {
	Help *cli.Help
	// Run runs a command line in-process: exit status, stdout, stderr.
	Run func(args ...string) (int, string, string)
}

// CheckCommands checks that each command answers -h with its usage line,
// summary, flags in --flag form and example; that each group, alone, is a
// usage error listing its commands, and with -h or after "help" lists
// them; and that "help COMMAND" is "COMMAND -h".
func (c CLI) CheckCommands(t *testing.T) {
	t.Helper()
	prog, groups := c.Help.Prog, map[string]bool{}
	for _, cmd := range c.Help.Commands {
		code, out, errOut := c.Run(append(strings.Fields(cmd.Name), "-h")...)
		if code != 0 || !strings.HasPrefix(out, "Usage: "+prog+" "+cmd.Name) || !strings.Contains(out, cmd.Summary) ||
			!strings.Contains(out, "Example:\n  "+prog+" "+cmd.Name) {
			t.Errorf("%s -h: exit %d\n%s%s", cmd.Name, code, out, errOut)
		}
		if strings.Contains(out, "\n  -") && !strings.Contains(out, "\n  --") {
			t.Errorf("%s -h lists its flags in -flag form:\n%s", cmd.Name, out)
		}
		if code, help, _ := c.Run(append([]string{"help"}, strings.Fields(cmd.Name)...)...); code != 0 || help != out {
			t.Errorf("help %s: exit %d, not the text of -h", cmd.Name, code)
		}
		if noun, _, ok := strings.Cut(cmd.Name, " "); ok {
			groups[noun] = true
		}
	}
	for noun := range groups {
		code, _, errOut := c.Run(noun)
		if code != 2 || !strings.Contains(errOut, noun+" needs a subcommand: "+c.Help.Subcommands(noun)) {
			t.Errorf("%s alone: exit %d, %q", noun, code, errOut)
		}
		code, out, _ := c.Run(noun, "-h")
		if code != 0 || !strings.HasPrefix(out, "Usage: "+prog+" "+noun+" COMMAND") {
			t.Errorf("%s -h: exit %d\n%s", noun, code, out)
		}
		code, _, errOut = c.Run(noun, "frobnicate")
		if code != 2 || !strings.Contains(errOut, "choose "+c.Help.Subcommands(noun)) {
			t.Errorf("%s frobnicate: exit %d, %q", noun, code, errOut)
		}
	}
}

// CheckMentions checks that every command the program's messages (the
// string literals of dir's Go files) and extra texts name exists and
// answers -h.
func (c CLI) CheckMentions(t *testing.T, dir string, extra ...string) {
	t.Helper()
	prog := c.Help.Prog
	mentions := CommandMentions(t, dir, prog)
	for _, e := range extra {
		mentions = append(mentions, Mentions(e, prog)...)
	}
	checked := map[string]bool{}
	for _, m := range mentions {
		cmd, ok := CommandIn(c.Help, m)
		if !ok {
			t.Errorf("a message names %q, which is not a command", prog+" "+m)
			continue
		}
		if cmd == "" || checked[cmd] {
			continue // prose ("glpinetd is running"), or checked already
		}
		checked[cmd] = true
		if code, out, errOut := c.Run(append(strings.Fields(cmd), "-h")...); code != 0 || !strings.HasPrefix(out, "Usage: "+prog) {
			t.Errorf("a message names %q, which does not answer -h: exit %d %s", prog+" "+cmd, code, errOut)
		}
	}
	if len(checked) < 5 {
		t.Fatalf("only %d commands named by messages were checked: the scan is broken", len(checked))
	}
}

// CheckCompletion writes the bash, zsh and fish scripts, has each shell
// that is installed parse its script (bash must be), and checks what the
// bash script completes for each command line of want (a line ending with
// a space completes a new word).
func (c CLI) CheckCompletion(t *testing.T, want map[string]string) {
	t.Helper()
	dir, prog := t.TempDir(), c.Help.Prog
	for _, shell := range cli.Shells {
		code, out, errOut := c.Run("completion", shell)
		if code != 0 || !strings.Contains(out, prog) {
			t.Fatalf("completion %s: exit %d %s", shell, code, errOut)
		}
		path := filepath.Join(dir, prog+"."+shell)
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath(shell); err != nil {
			if shell == "bash" {
				t.Fatal("bash is needed")
			}
			t.Logf("%s is not installed: its script is not checked (apt-get install -y %s)", shell, shell)
			continue
		}
		if b, err := exec.Command(shell, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, b)
		}
	}
	for line, words := range want {
		script := `source "$1"; read -ra COMP_WORDS <<< "$2"; [[ $2 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _` + prog + `; echo "${COMPREPLY[*]}"`
		b, err := exec.Command("bash", "-c", script, "bash", filepath.Join(dir, prog+".bash"), line).CombinedOutput()
		if got := strings.TrimSpace(string(b)); err != nil || got != words {
			t.Errorf("bash %q: completions %q (%v), want %q", line, got, err, words)
		}
		if _, err := exec.LookPath("fish"); err == nil {
			b, err := exec.Command("fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", filepath.Join(dir, prog+".fish"), line).CombinedOutput()
			// fish sorts what it offers.
			got, sorted := strings.Fields(string(b)), strings.Fields(words)
			slices.Sort(got)
			slices.Sort(sorted)
			if err != nil || !slices.Equal(got, sorted) {
				t.Errorf("fish %q: completions %q (%v), want %q", line, got, err, words)
			}
		}
	}
}
