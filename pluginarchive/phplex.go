package pluginarchive

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a small PHP tokenizer: just enough to read constant
// declarations and array literals out of setup.php without executing
// anything. It never fails: text it does not understand becomes punctuation
// tokens that the reader skips.

type tokKind uint8

const (
	tokPunct  tokKind = iota // operators and brackets; text holds them
	tokName                  // identifiers and (qualified) names, keywords included
	tokString                // string literals; text holds the decoded value
	tokNumber                // numeric literals; text holds them as written
	tokVar                   // variables; text holds the name without "$"
)

type token struct {
	kind tokKind
	text string
	// dynamic marks a string whose value depends on run time (it
	// interpolates variables, or is a shell command): its text is not its
	// value.
	dynamic bool
}

// maxStringLen bounds the strings the reader builds (by concatenation):
// nothing in plugin_version_*() is legitimately longer, and without a bound
// a chain of self-concatenating constants would double at every step.
const maxStringLen = 64 << 10

// lexPHP splits src into tokens, skipping inline HTML, whitespace and
// comments. "?>" ends a statement in PHP, so it becomes a ";" token.
func lexPHP(src []byte) []token {
	l := lexer{src: string(src)}
	l.run()
	return l.toks
}

type lexer struct {
	src  string
	pos  int
	toks []token
}

// multiPunct lists the multi-character operators the reader needs to tell
// apart from their first character, longest first.
var multiPunct = []string{"...", "=>", "::", "->", ".=", "==", "?->", "??"}

func (l *lexer) run() {
	for l.pos < len(l.src) {
		// Inline HTML up to the next opening tag.
		i := strings.Index(l.src[l.pos:], "<?")
		if i < 0 {
			return
		}
		l.pos += i + 2
		switch {
		case len(l.src)-l.pos >= 3 && strings.EqualFold(l.src[l.pos:l.pos+3], "php"):
			l.pos += 3
		case strings.HasPrefix(l.src[l.pos:], "="):
			l.pos++
		}
		l.code()
	}
}

// code tokenizes PHP code up to "?>" or the end of the source.
func (l *lexer) code() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		rest := l.src[l.pos:]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			l.pos++
		case strings.HasPrefix(rest, "?>"):
			l.pos += 2
			l.emit(tokPunct, ";")
			return
		case strings.HasPrefix(rest, "//") || c == '#' && !strings.HasPrefix(rest, "#["):
			l.lineComment()
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += 2 + end + 2
			}
		case c == '\'':
			l.singleQuoted()
		case c == '"':
			l.pos++
			v, dyn := l.doubleQuoted('"')
			l.toks = append(l.toks, token{kind: tokString, text: v, dynamic: dyn})
		case c == '`':
			l.pos++
			l.doubleQuoted('`')
			l.toks = append(l.toks, token{kind: tokString, dynamic: true})
		case strings.HasPrefix(rest, "<<<"):
			l.heredoc()
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			l.pos++
			l.emit(tokVar, l.ident())
		case isIdentStart(c) || c == '\\' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			l.name()
		case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
			l.number()
		default:
			l.punct()
		}
	}
}

func (l *lexer) emit(kind tokKind, text string) {
	l.toks = append(l.toks, token{kind: kind, text: text})
}

// lineComment skips a // or # comment, which ends at a newline or at "?>".
func (l *lexer) lineComment() {
	for l.pos < len(l.src) {
		if l.src[l.pos] == '\n' || strings.HasPrefix(l.src[l.pos:], "?>") {
			return
		}
		l.pos++
	}
}

func (l *lexer) punct() {
	rest := l.src[l.pos:]
	for _, p := range multiPunct {
		if strings.HasPrefix(rest, p) {
			l.pos += len(p)
			l.emit(tokPunct, p)
			return
		}
	}
	_, size := utf8.DecodeRuneInString(rest)
	l.pos += size
	l.emit(tokPunct, rest[:size])
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (l *lexer) ident() string {
	start := l.pos
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	return l.src[start:l.pos]
}

// name reads an identifier or a namespace-qualified name such as
// \PLUGIN_FOO_VERSION or Glpi\Plugin\Hooks.
func (l *lexer) name() {
	start := l.pos
	if l.src[l.pos] == '\\' {
		l.pos++
	}
	l.ident()
	for l.pos+1 < len(l.src) && l.src[l.pos] == '\\' && isIdentStart(l.src[l.pos+1]) {
		l.pos++
		l.ident()
	}
	l.emit(tokName, l.src[start:l.pos])
}

// number reads a numeric literal as written (decimal, float, hex, octal,
// binary, with "_" separators); only its text matters here.
func (l *lexer) number() {
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isIdentChar(c):
		case c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]) && !strings.Contains(l.src[start:l.pos], "."):
		case (c == '+' || c == '-') && l.pos > start && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E'):
		default:
			l.emit(tokNumber, l.src[start:l.pos])
			return
		}
		l.pos++
	}
	l.emit(tokNumber, l.src[start:l.pos])
}

// singleQuoted reads a '...' string, where only \' and \\ are escapes.
func (l *lexer) singleQuoted() {
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\'':
			l.pos++
			l.emit(tokString, b.String())
			return
		case c == '\\' && l.pos+1 < len(l.src) && (l.src[l.pos+1] == '\'' || l.src[l.pos+1] == '\\'):
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	// Unterminated: PHP would not compile the file; the value is unusable.
	l.toks = append(l.toks, token{kind: tokString, dynamic: true})
}

// doubleQuoted reads a string up to the closing quote q, decoding escapes.
// dynamic reports variable interpolation ("$x", "{$x}") or a missing
// closing quote. q is 0 for a heredoc body, which has no closing quote.
func (l *lexer) doubleQuoted(q byte) (value string, dynamic bool) {
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q && q != 0:
			l.pos++
			return b.String(), dynamic
		case c == '\\' && l.pos+1 < len(l.src):
			l.pos += l.escape(&b, l.src[l.pos:], q)
		default:
			if c == '$' && l.pos+1 < len(l.src) && (isIdentStart(l.src[l.pos+1]) || l.src[l.pos+1] == '{') ||
				c == '{' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '$' {
				dynamic = true
			}
			b.WriteByte(c)
			l.pos++
		}
	}
	return b.String(), true
}

// escape decodes the escape sequence at the start of s (which begins with
// a backslash) into b, and returns its length. Sequences PHP does not
// recognise are kept as written, backslash included, as PHP does. q is the
// string's quote, which can be escaped (0 for heredocs).
func (l *lexer) escape(b *strings.Builder, s string, q byte) int {
	c := s[1]
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'v':
		b.WriteByte('\v')
	case 'e':
		b.WriteByte(0x1b)
	case 'f':
		b.WriteByte('\f')
	case '\\', '$':
		b.WriteByte(c)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n := 1
		for n < 3 && 1+n < len(s) && '0' <= s[1+n] && s[1+n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(s[1:1+n], 8, 16)
		b.WriteByte(byte(v)) // PHP wraps "\400" to "\000" too
		return 1 + n
	case 'x':
		n := 0
		for n < 2 && 2+n < len(s) && isHexDigit(s[2+n]) {
			n++
		}
		if n == 0 {
			b.WriteString(`\x`)
			return 2
		}
		v, _ := strconv.ParseUint(s[2:2+n], 16, 8)
		b.WriteByte(byte(v))
		return 2 + n
	case 'u':
		if len(s) > 2 && s[2] == '{' {
			if end := strings.IndexByte(s[3:], '}'); end > 0 {
				if v, err := strconv.ParseUint(s[3:3+end], 16, 32); err == nil && v <= utf8.MaxRune {
					b.WriteRune(rune(v))
					return 3 + end + 1
				}
			}
		}
		b.WriteString(`\u`)
	default:
		if q != 0 && c == q {
			b.WriteByte(c)
			return 2
		}
		b.WriteByte('\\')
		b.WriteByte(c)
	}
	return 2
}

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// heredoc reads a <<<ID heredoc or <<<'ID' nowdoc. Since PHP 7.3 the closing
// identifier may be indented, and that indentation is removed from every
// line of the body.
func (l *lexer) heredoc() {
	p := l.pos + 3
	for p < len(l.src) && (l.src[p] == ' ' || l.src[p] == '\t') {
		p++
	}
	quote := byte(0)
	if p < len(l.src) && (l.src[p] == '\'' || l.src[p] == '"') {
		quote = l.src[p]
		p++
	}
	start := p
	for p < len(l.src) && isIdentChar(l.src[p]) {
		p++
	}
	id := l.src[start:p]
	if quote != 0 {
		if p >= len(l.src) || l.src[p] != quote {
			id = ""
		}
		p++
	}
	if p < len(l.src) && l.src[p] == '\r' {
		p++
	}
	if id == "" || isDigit(id[0]) || p >= len(l.src) || l.src[p] != '\n' {
		// Not a heredoc after all ("<<<" is not an operator otherwise).
		l.punct()
		return
	}
	bodyStart := p + 1
	// Find the closing line: optional indentation, the identifier, and no
	// identifier character right after it.
	var lines []string
	for p = bodyStart; p <= len(l.src); {
		end := strings.IndexByte(l.src[p:], '\n')
		if end < 0 {
			end = len(l.src) - p
		}
		line := l.src[p : p+end]
		trimmed := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trimmed, id) && (len(trimmed) == len(id) || !isIdentChar(trimmed[len(id)])) {
			indent := len(line) - len(trimmed)
			l.pos = p + indent + len(id)
			l.emitHeredoc(lines, line[:indent], quote != '\'')
			return
		}
		lines = append(lines, strings.TrimSuffix(line, "\r"))
		p += end + 1
	}
	l.pos = len(l.src)
	l.toks = append(l.toks, token{kind: tokString, dynamic: true})
}

func (l *lexer) emitHeredoc(lines []string, indent string, interpolate bool) {
	for i, line := range lines {
		lines[i] = strings.TrimPrefix(line, indent)
	}
	body := strings.Join(lines, "\n")
	if !interpolate {
		l.emit(tokString, body)
		return
	}
	// Decode escapes and detect interpolation with the double-quoted
	// string reader, on a lexer of its own.
	sub := lexer{src: body}
	v, dyn := sub.doubleQuoted(0)
	// doubleQuoted reports running out of input as dynamic; here the end of
	// the body is the normal end.
	dyn = dyn && hasInterpolation(body)
	l.toks = append(l.toks, token{kind: tokString, text: v, dynamic: dyn})
}

// hasInterpolation reports whether a double-quoted or heredoc body
// interpolates variables.
func hasInterpolation(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '$' && (isIdentStart(s[i+1]) || s[i+1] == '{'), s[i] == '{' && s[i+1] == '$':
			return true
		}
	}
	return false
}
