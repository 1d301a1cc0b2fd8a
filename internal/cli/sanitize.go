package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Text that comes from a server (plugin names and descriptions, owner
// names, validation messages, error texts) is the server's to choose, and
// glpinet runs in the administrator's terminal: an ESC starts a sequence
// that retitles the terminal, clears it or rewrites what was printed, a
// carriage return or newline lets the server print a fake line of
// glpinet's own ("glpinet: installed …"), and a bidirectional override
// reorders what is shown. Everything glpinet prints in text mode therefore
// goes through one rule, unsafeRune, applied per field by Clean and to the
// whole output stream by Output.Result and Fail.

// unsafeRune reports whether r must never reach a terminal as is: the C0
// controls (including ESC, CR and BEL), DEL, the C1 controls (U+0080 to
// U+009F, which some terminals obey as CSI or OSC) and the Unicode
// bidirectional formatting characters, plus the line and paragraph
// separators.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		0x202a <= r && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		0x2066 <= r && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

// escapeRune writes r in a visible form: \x1b, \u202e. The administrator
// sees that the server sent something odd, and nothing is obeyed.
func escapeRune(b *strings.Builder, r rune) {
	if r < 0x80 {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// maxClean is the longest text Clean keeps, in runes: a server could send
// megabytes in a field that is printed on one line.
const maxClean = 4000

// Clean makes s, a text received from a server, safe to print on one line
// of a terminal: tabs, carriage returns and newlines become spaces (a tab
// would also shift tabwriter's columns), other control and bidirectional
// formatting characters are shown escaped (\x1b), invalid UTF-8 becomes
// U+FFFD, and a text longer than 4,000 characters is cut with "…".
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		if n == maxClean {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unsafeRune(r):
			escapeRune(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CleanLines is Clean for a text whose line breaks matter (a plugin's
// long description): each line is cleaned and printed after indent, so
// that no line of the server's can pass for one of glpinet's.
func CleanLines(s, indent string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = indent + Clean(l)
	}
	return strings.Join(lines, "\n")
}

// isClean reports whether Clean would return s unchanged (the common
// case, which then costs no allocation).
func isClean(s string) bool {
	if len(s) > maxClean || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafeRune(r) {
			return false
		}
	}
	return true
}

// safeWriter passes text to w with every unsafe rune but newline and tab
// escaped: the last line of defence for a field that a command printed
// without Clean. A rune split across two writes is held until the next.
type safeWriter struct {
	w    io.Writer
	held []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	data := p
	if len(s.held) > 0 {
		data = append(s.held, p...)
		s.held = nil
	}
	var b strings.Builder
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(data) {
			s.held = append([]byte(nil), data...) // the rest comes with the next write
			break
		}
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case unsafeRune(r):
			escapeRune(&b, r)
		default:
			b.Write(data[:size])
		}
		data = data[size:]
	}
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// escapeJSON rewrites, in JSON that encoding/json produced, the unsafe
// runes it leaves raw (DEL, C1 controls, bidirectional formatting; it
// escapes C0 itself) as \u escapes. Outside strings valid JSON holds none
// of them, and inside a string \u007f decodes to the same rune: programs
// read the same value, a terminal shows it inert.
func escapeJSON(data []byte) []byte {
	if !bytes.ContainsFunc(data, func(r rune) bool { return r >= 0x7f && unsafeRune(r) }) {
		return data
	}
	var b strings.Builder
	for _, r := range string(data) {
		if r >= 0x7f && unsafeRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}
