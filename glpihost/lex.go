package glpihost

import (
	"strings"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
)

// This file is a small PHP tokenizer. Regular expressions over a whole file
// cannot tell a define() from the same text inside a comment or a string,
// nor a ";" or "//" inside a password from real syntax; a tokenizer can.
// Every token keeps its byte offsets so that the editors (setdefine.go) can
// splice the original bytes instead of regenerating the file.

type tokKind uint8

const (
	tokPunct    tokKind = iota // operators and brackets; text holds them
	tokName                    // identifiers, keywords and qualified names (\define)
	tokVar                     // $variables; text holds the name without "$"
	tokString                  // string literals; text holds the decoded value
	tokNumber                  // numeric literals; text holds them as written
	tokOpenTag                 // <?php, <?= or <?
	tokCloseTag                // ?>
)

type token struct {
	kind tokKind
	text string
	// start and end are the byte offsets of the token in the source.
	start, end int
	// dynamic marks a string whose value is only known at run time
	// (interpolation, heredoc, shell command): text is not its value.
	dynamic bool
}

// lex splits src into tokens, skipping inline HTML, whitespace and
// comments. It fails only on constructs that never end (a string, a
// comment, a heredoc), which PHP rejects too; the tokens read up to that
// point are returned with the error.
func lex(src []byte) ([]token, error) {
	l := lexer{src: string(src)}
	l.run()
	if l.errWhat != "" {
		return l.toks, glpinet.Errorf(glpinet.EINVALID,
			"unterminated %s starting on line %d.", l.errWhat, lineOf(l.src, l.errAt))
	}
	return l.toks, nil
}

type lexer struct {
	src  string
	pos  int
	toks []token
	// errWhat names the unterminated construct, errAt its offset.
	errWhat string
	errAt   int
}

// multiPunct lists the multi-character operators the readers need to tell
// apart from their first character, longest first.
var multiPunct = []string{"...", "?->", "->", "::", "=>", "??", "#["}

// fail records an unterminated construct and stops the lexer.
func (l *lexer) fail(what string, at int) {
	l.errWhat, l.errAt = what, at
	l.pos = len(l.src)
}

func (l *lexer) emit(kind tokKind, text string, start int) {
	l.toks = append(l.toks, token{kind: kind, text: text, start: start, end: l.pos})
}

// run alternates between inline HTML and PHP code.
func (l *lexer) run() {
	for l.pos < len(l.src) {
		i := strings.Index(l.src[l.pos:], "<?")
		if i < 0 {
			return
		}
		start := l.pos + i
		l.pos = start + 2
		rest := l.src[l.pos:]
		switch {
		case len(rest) >= 3 && strings.EqualFold(rest[:3], "php") && (len(rest) == 3 || isSpace(rest[3])):
			l.pos += 3
		case strings.HasPrefix(rest, "="):
			l.pos++
		}
		// A bare "<?" is a short open tag. Configuration files are read
		// leniently: if the server had short_open_tag off, such a file
		// would define nothing, and GLPI's administrator would have
		// noticed.
		l.emit(tokOpenTag, l.src[start:l.pos], start)
		l.code()
	}
}

// code tokenizes PHP code up to "?>" or the end of the source.
func (l *lexer) code() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		rest := l.src[l.pos:]
		switch {
		case isSpace(c):
			l.pos++
		case strings.HasPrefix(rest, "?>"):
			start := l.pos
			l.pos += 2
			l.emit(tokCloseTag, "?>", start)
			return
		case strings.HasPrefix(rest, "//") || c == '#' && !strings.HasPrefix(rest, "#["):
			l.lineComment()
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				l.fail("comment", l.pos)
				return
			}
			l.pos += 2 + end + 2
		case c == '\'':
			l.singleQuoted()
		case c == '"' || c == '`':
			l.doubleQuoted(c)
		case strings.HasPrefix(rest, "<<<") && l.heredoc():
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			start := l.pos
			l.pos++
			l.emit(tokVar, l.ident(), start)
		case isIdentStart(c) || c == '\\' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			l.name()
		case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
			l.number()
		default:
			l.punct()
		}
	}
}

// lineComment skips a // or # comment, which ends before a newline or
// before "?>" (PHP leaves code mode even from inside such a comment).
func (l *lexer) lineComment() {
	for l.pos < len(l.src) {
		if l.src[l.pos] == '\n' || strings.HasPrefix(l.src[l.pos:], "?>") {
			return
		}
		l.pos++
	}
}

func (l *lexer) punct() {
	start := l.pos
	rest := l.src[l.pos:]
	for _, p := range multiPunct {
		if strings.HasPrefix(rest, p) {
			l.pos += len(p)
			l.emit(tokPunct, p, start)
			return
		}
	}
	_, size := utf8.DecodeRuneInString(rest)
	l.pos += size
	l.emit(tokPunct, rest[:size], start)
}

func (l *lexer) ident() string {
	start := l.pos
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	return l.src[start:l.pos]
}

// name reads an identifier or a namespace-qualified name such as \define
// or Safe\define, so that a qualified call is never mistaken for the
// global one.
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
	l.emit(tokName, l.src[start:l.pos], start)
}

// number reads a numeric literal as PHP delimits it: 0x/0b/0o prefixed
// integers, or decimal digits with an optional fraction and exponent, all
// with "_" separators.
func (l *lexer) number() {
	s, start := l.src, l.pos
	if s[l.pos] == '0' && l.pos+2 < len(s) && strings.IndexByte("xXbBoO", s[l.pos+1]) >= 0 && isHexDigit(s[l.pos+2]) {
		l.pos += 2
		for l.pos < len(s) && (isHexDigit(s[l.pos]) || s[l.pos] == '_') {
			l.pos++
		}
		l.emit(tokNumber, s[start:l.pos], start)
		return
	}
	l.digits()
	if l.pos+1 < len(s) && s[l.pos] == '.' && isDigit(s[l.pos+1]) {
		l.pos++
		l.digits()
	}
	if l.pos+1 < len(s) && (s[l.pos] == 'e' || s[l.pos] == 'E') {
		p := l.pos + 1
		if p < len(s) && (s[p] == '+' || s[p] == '-') {
			p++
		}
		if p < len(s) && isDigit(s[p]) {
			l.pos = p
			l.digits()
		}
	}
	l.emit(tokNumber, s[start:l.pos], start)
}

func (l *lexer) digits() {
	for l.pos < len(l.src) && (isDigit(l.src[l.pos]) || l.src[l.pos] == '_') {
		l.pos++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// lineOf returns the 1-based line of offset in src, for error messages.
func lineOf(src string, offset int) int {
	return 1 + strings.Count(src[:min(offset, len(src))], "\n")
}
