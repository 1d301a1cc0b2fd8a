// Command manpage writes a program's manual page (roff, gzipped) from the
// program's own help: `PROG --help` for the overview and `PROG COMMAND -h`
// for each command the overview lists. The Debian package runs it on the
// binaries it ships, so the manual says exactly what the binary says and
// cannot drift from it.
//
//	go run ./packaging/manpage -bin dist/glpinetd -out dist/man/glpinetd.1.gz
//
// The page's date is SOURCE_DATE_EPOCH when set (reproducible packages),
// today otherwise; its version is the first line of `PROG --version`.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the program to document (a built binary)")
	out := flag.String("out", "", "where to write the page: NAME.1.gz is gzipped, anything else is plain roff")
	see := flag.String("see-also", "", "comma-separated pages for SEE ALSO, e.g. glpinet(1)")
	flag.Parse()
	if *bin == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: manpage -bin PROGRAM -out FILE[.gz] [-see-also a(1),b(1)]")
		os.Exit(2)
	}
	if err := run(*bin, *out, *see); err != nil {
		fmt.Fprintln(os.Stderr, "manpage:", err)
		os.Exit(1)
	}
}

func run(bin, out, see string) error {
	// Absolute: the program runs in a temporary folder (see helpOf).
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	name := filepath.Base(bin)
	page, err := generate(name, func(args ...string) (string, error) { return helpOf(bin, args...) }, pageDate(), see)
	if err != nil {
		return err
	}
	data := []byte(page)
	if strings.HasSuffix(out, ".gz") {
		var b bytes.Buffer
		// Best compression and no name or time in the header: Debian's
		// policy for man pages, and the package stays reproducible.
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		data = b.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// helpOf runs the program with args and returns what it printed. Help must
// succeed: a command whose -h fails would leave a hole in the manual, so the
// package build fails instead. The environment is emptied of the programs'
// variables so that defaults print as defaults, not as this machine's values.
func helpOf(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = os.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLPINET_") && !strings.HasPrefix(kv, "GLPI_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// pageDate is the date in the page's header.
func pageDate() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// commandOf returns the command of a usage line, "  PROG key check KEY|-
// description" giving "key check": the lower-case words after the program,
// up to the first argument (upper case, brackets, alternatives such as
// bash|zsh|fish). Two spaces or more separate the description.
func commandOf(line string) string {
	left, _, _ := strings.Cut(strings.TrimSpace(line), "  ")
	f := strings.Fields(left)
	var words []string
	for _, w := range f[min(1, len(f)):] {
		if !lowerWord.MatchString(w) {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

var lowerWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// generate builds the page from the help that help(args...) returns.
func generate(name string, help func(args ...string) (string, error), date time.Time, see string) (string, error) {
	top, err := help("--help")
	if err != nil {
		return "", err
	}
	ver, err := help("--version")
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimRight(top, "\n"), "\n")
	summary := strings.TrimSpace(strings.TrimPrefix(lines[0], name+":"))
	if summary == lines[0] || summary == "" {
		return "", fmt.Errorf("%s --help: the first line is not %q", name, name+": SUMMARY")
	}
	rest := lines[1:]

	var cmds []string
	seen := map[string]bool{}
	inUsage := false
	for _, l := range rest {
		switch {
		case l == "Usage:":
			inUsage = true
		case inUsage && strings.HasPrefix(l, "  "+name+" "):
			// Only lines naming the program: a deeper indented line
			// continues the description above it.
			if words := commandOf(l); words != "" && !seen[words] {
				seen[words] = true
				cmds = append(cmds, words)
			}
		case inUsage && !strings.HasPrefix(l, " ") && l != "":
			inUsage = false
		}
	}
	if len(cmds) == 0 {
		return "", errors.New(name + " --help lists no commands under Usage:")
	}

	var b strings.Builder
	fmt.Fprintf(&b, ".\\\" Generated by packaging/manpage from %s's own help: do not edit.\n", name)
	fmt.Fprintf(&b, ".TH %s 1 %q %q %q\n", strings.ToUpper(name), date.Format("2006-01-02"),
		strings.TrimSpace(strings.SplitN(ver, "\n", 2)[0]), "glpinet manual")
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", name, escape(summary))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n.I COMMAND\n.RI [ flags ]\n.br\n.B %s\n.B \\-\\-version\n", name, name)
	b.WriteString(".SH DESCRIPTION\n")
	b.WriteString(roff(rest))
	b.WriteString(".SH COMMANDS\n")
	for _, c := range cmds {
		h, err := help(append(strings.Fields(c), "-h")...)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, ".SS %s\n", escape(name+" "+c))
		b.WriteString(roff(strings.Split(strings.TrimRight(h, "\n"), "\n")))
	}
	if see != "" {
		b.WriteString(".SH SEE ALSO\n")
		var refs []string
		for _, s := range strings.Split(see, ",") {
			s = strings.TrimSpace(s)
			if i := strings.IndexByte(s, '('); i > 0 {
				refs = append(refs, fmt.Sprintf(".BR %s %s", s[:i], s[i:]))
			}
		}
		b.WriteString(strings.Join(refs, " ,\n") + "\n")
	}
	return b.String(), nil
}

// roff converts the help's plain text: a line "Heading:" alone starts a
// block; flags ("  --name ARG" then a more indented description) become
// tagged paragraphs; other indented lines (usage, examples, command lists)
// keep their layout; unindented lines are running text.
func roff(lines []string) string {
	var b strings.Builder
	pre := false // inside .nf
	// para starts a paragraph, once: help separates blocks with blank
	// lines and headings, and two .PP in a row only add space.
	para := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), ".PP\n") {
			b.WriteString(".PP\n")
		}
	}
	endPre := func() {
		if pre {
			b.WriteString(".fi\n.RE\n")
			pre = false
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case trimmed == "":
			endPre()
			para()
		case indent == 0 && strings.HasSuffix(trimmed, ":") && !strings.Contains(trimmed, " "):
			endPre()
			para()
			fmt.Fprintf(&b, ".B %s\n", escape(trimmed))
		case indent == 2 && strings.HasPrefix(trimmed, "-"):
			// A flag, its description on the following, deeper lines.
			endPre()
			fmt.Fprintf(&b, ".TP\n.B %s\n", escape(trimmed))
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    ") {
				i++
				b.WriteString(escape(strings.TrimSpace(lines[i])) + "\n")
			}
		case indent > 0:
			if !pre {
				b.WriteString(".RS 2\n.nf\n")
				pre = true
			}
			b.WriteString(escape(l[2:]) + "\n")
		default:
			endPre()
			if strings.HasPrefix(trimmed, "Usage: ") {
				fmt.Fprintf(&b, ".B %s\n.br\n", escape(strings.TrimPrefix(trimmed, "Usage: ")))
				continue
			}
			b.WriteString(escape(trimmed) + "\n")
		}
	}
	endPre()
	return b.String()
}

// escape makes text safe on a roff line: backslashes printed as such,
// hyphens as the ASCII minus users type, and no line starting like a
// request.
func escape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
