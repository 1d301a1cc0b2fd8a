package glpihost

import (
	"fmt"
	"strings"

	"github.com/glpinet/glpinet"
)

// This file is a small PHP tokenizer. Regular expressions over a whole file
// cannot tell a define() from the same text inside a comment or a string,
// nor a ";" or "//" inside a password from real syntax; a tokenizer can.
// Every token keeps its byte offsets so that the editors (setdefine.go) can
// splice the original bytes instead of regenerating the file.
//
// It follows the rules of PHP's own scanner (Zend/zend_language_scanner.l)
// for PHP 7.4 to 8.4, the versions GLPI 10 and 11 run on, because a file
// read differently by glpinet and by PHP makes glpinet act on a database
// or a server GLPI does not use. Where PHP's reading depends on something
// glpinet cannot know (an ini setting, the PHP version), lex refuses the
// file rather than guess: short open tags, "#[", characters PHP 7.4 skips
// but PHP 8 rejects. It never needs more than a few bytes of memory per
// byte of source (see BenchmarkLexWorstCase).

type tokKind uint8

const (
	tokPunct    tokKind = iota // operators and brackets; text holds them
	tokName                    // identifiers, keywords and qualified names (\define)
	tokVar                     // $variables; text holds the name without "$"
	tokString                  // string literals; text holds the decoded value
	tokNumber                  // numeric literals; text holds them as written
	tokOpenTag                 // <?php or <?=
	tokCloseTag                // ?>, with the one line ending PHP swallows after it
)

type token struct {
	kind tokKind
	// dynamic marks a string whose value is only known at run time
	// (interpolation, heredoc, shell command): text is not its value.
	dynamic bool
	// start and end are the byte offsets of the token in the source;
	// int32 keeps a token at 32 bytes (sources are far below 2 GiB: every
	// reader goes through a size limit).
	start, end int32
	text       string
}

// lex splits src into tokens, skipping inline HTML, whitespace and
// comments, and stopping at __halt_compiler();, past which PHP reads
// nothing. Its error, an EINVALID *glpinet.Error giving the line, reports
// what PHP would reject (a string or comment that never ends, an invalid
// escape) or what glpinet cannot be sure PHP reads as it does; the tokens
// read up to that point are returned with it.
func lex(src []byte) ([]token, error) {
	l := lexer{src: string(src)}
	// Configuration files average more than 8 bytes per token; a denser
	// file regrows once, straight to the most tokens it can hold (one per
	// byte), so that reading never allocates more than about 40 bytes of
	// tokens per byte of source, however the file is made.
	l.toks = make([]token, 0, len(src)/8+16)
	l.run()
	if l.errWhat != "" {
		return l.toks, glpinet.Errorf(glpinet.EINVALID, "line %d: %s", lineOf(l.src, l.errAt), l.errWhat)
	}
	return l.toks, nil
}

type lexer struct {
	src  string
	pos  int
	toks []token
	// errWhat says what is wrong, errAt where.
	errWhat string
	errAt   int
	// halted is set once __halt_compiler has been read.
	halted bool
}

// fail records why the source is refused and stops the lexer.
func (l *lexer) fail(at int, format string, args ...any) {
	if l.errWhat == "" {
		l.errWhat, l.errAt = fmt.Sprintf(format, args...), at
	}
	l.pos = len(l.src)
}

func (l *lexer) emit(kind tokKind, text string, start int) {
	l.add(token{kind: kind, text: text, start: int32(start), end: int32(l.pos)})
}

// add appends t, growing the token slice at most once (see lex).
func (l *lexer) add(t token) {
	if len(l.toks) == cap(l.toks) {
		grown := make([]token, len(l.toks), max(len(l.src)+1, 2*cap(l.toks)))
		copy(grown, l.toks)
		l.toks = grown
	}
	l.toks = append(l.toks, t)
}

// run alternates between inline HTML and PHP code.
func (l *lexer) run() {
	for l.pos < len(l.src) && !l.halted {
		i := strings.Index(l.src[l.pos:], "<?")
		if i < 0 {
			return
		}
		start := l.pos + i
		l.pos = start + 2
		rest := l.src[l.pos:]
		switch {
		case strings.HasPrefix(rest, "="):
			l.pos++
		case len(rest) >= 3 && strings.EqualFold(rest[:3], "php") && (len(rest) == 3 || isSpace(rest[3])):
			// PHP 7.4 and later also open code on "<?php" at the very
			// end of the file.
			l.pos += 3
		default:
			// "<?" alone, "<?xml", "<?phpinfo": code if short_open_tag
			// is on, text if it is off; glpinet cannot know which.
			l.fail(start, `"<?" is PHP code only when PHP's short_open_tag setting is on, which glpinet cannot know; write "<?php " (followed by a space or a line break) or remove it.`)
			return
		}
		l.emit(tokOpenTag, l.src[start:l.pos], start)
		l.code()
	}
}

// code tokenizes PHP code up to "?>" or the end of the source.
func (l *lexer) code() {
	for l.pos < len(l.src) && !l.halted {
		c := l.src[l.pos]
		rest := l.src[l.pos:]
		switch {
		case isSpace(c):
			l.pos++
		case strings.HasPrefix(rest, "?>"):
			start := l.pos
			l.pos += 2
			// PHP swallows one line ending after "?>".
			if strings.HasPrefix(l.src[l.pos:], "\r\n") {
				l.pos += 2
			} else if l.pos < len(l.src) && (l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
				l.pos++
			}
			l.emit(tokCloseTag, "?>", start)
			return
		case strings.HasPrefix(rest, "#["):
			l.fail(l.pos, `"#[" starts an attribute on PHP 8 but a comment on PHP 7.4; glpinet cannot know which PHP runs GLPI. Put a space after "#" if it is a comment.`)
		case c == '#' || strings.HasPrefix(rest, "//"):
			l.lineComment()
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				l.fail(l.pos, "unterminated comment.")
				return
			}
			l.pos += 2 + end + 2
		case c == '\'':
			l.singleQuoted(l.pos)
		case c == '"' || c == '`':
			l.doubleQuoted(l.pos, c)
		case strings.HasPrefix(rest, "<<<") && l.heredoc(l.pos):
		case (c == 'b' || c == 'B') && len(rest) > 1 && (rest[1] == '\'' || rest[1] == '"'):
			// b'...' and b"..." are the same strings without the b.
			l.pos++
			if rest[1] == '\'' {
				l.singleQuoted(l.pos - 1)
			} else {
				l.doubleQuoted(l.pos-1, '"')
			}
		case (c == 'b' || c == 'B') && strings.HasPrefix(rest[1:], "<<<") && l.heredoc(l.pos):
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			start := l.pos
			l.pos++
			l.emit(tokVar, l.ident(), start)
		case isIdentStart(c) || c == '\\' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			l.name()
		case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
			l.number()
		case strings.IndexByte(punctChars, c) >= 0:
			l.punct()
		default:
			// PHP 7.4 skips such a byte with a warning, PHP 8 stops with
			// a parse error.
			l.fail(l.pos, "unexpected byte 0x%02x in PHP code (PHP 7.4 ignores it, PHP 8 refuses the file).", c)
		}
	}
}

// punctChars are the bytes that make up PHP's operators and punctuation.
const punctChars = ";:,.[](){}|^&+-/*=%!~$<>?@\\"

// multiPunct lists the multi-character operators the readers need to tell
// apart from their first character, longest first.
var multiPunct = []string{"...", "?->", "->", "::", "=>", "??"}

// lineComment skips a // or # comment, which PHP ends before "\n", "\r"
// or "?>" (it leaves code mode even from inside such a comment).
func (l *lexer) lineComment() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\n' || c == '\r' || c == '?' && strings.HasPrefix(l.src[l.pos:], "?>") {
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
	l.pos++
	l.emit(tokPunct, rest[:1], start)
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
// global one. After __halt_compiler PHP reads "();" and stops.
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
	if strings.EqualFold(l.src[start:l.pos], "__halt_compiler") && !l.afterArrow(start) {
		l.halt(start)
	}
}

// afterArrow reports whether the name at start follows "->" or "?->" with
// only whitespace between: PHP then reads it as a property name, even a
// keyword.
func (l *lexer) afterArrow(start int) bool {
	if len(l.toks) < 2 {
		return false
	}
	prev := l.toks[len(l.toks)-2]
	if prev.kind != tokPunct || prev.text != "->" && prev.text != "?->" {
		return false
	}
	for _, c := range []byte(l.src[prev.end:start]) {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// halt reads the "();" (or "()?>") that must follow __halt_compiler and
// stops: what follows is data PHP never parses.
func (l *lexer) halt(at int) {
	for _, want := range []string{"(", ")", ";"} {
		l.skipSpaceAndComments()
		if want == ";" && strings.HasPrefix(l.src[l.pos:], "?>") {
			l.pos += 2
			l.emit(tokCloseTag, "?>", l.pos-2)
			break
		}
		if !strings.HasPrefix(l.src[l.pos:], want) {
			l.fail(at, "__halt_compiler must be followed by \"();\".")
			return
		}
		l.pos++
		l.emit(tokPunct, want, l.pos-1)
	}
	l.halted = true
}

// skipSpaceAndComments skips what PHP ignores between tokens.
func (l *lexer) skipSpaceAndComments() {
	for l.pos < len(l.src) {
		rest := l.src[l.pos:]
		switch {
		case isSpace(rest[0]):
			l.pos++
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return
			}
			l.pos += end + 4
		case strings.HasPrefix(rest, "//") || rest[0] == '#' && !strings.HasPrefix(rest, "#["):
			l.lineComment()
		default:
			return
		}
	}
}

// number reads a numeric literal as PHP's scanner delimits it:
//
//	LNUM  [0-9]+(_[0-9]+)*
//	DNUM  ({LNUM}?"."{LNUM})|({LNUM}"."{LNUM}?)
//	EXPONENT_DNUM  (({LNUM}|{DNUM})[eE][+-]?{LNUM})
//	HNUM "0x"[0-9a-f]+(_[0-9a-f]+)*, BNUM "0b"…, ONUM "0o"… (PHP 8.1)
func (l *lexer) number() {
	s, start := l.src, l.pos
	if s[start] == '0' && start+2 < len(s) {
		var ok func(byte) bool
		switch s[start+1] {
		case 'x', 'X':
			ok = isHexDigit
		case 'b', 'B':
			ok = func(c byte) bool { return c == '0' || c == '1' }
		case 'o', 'O':
			ok = func(c byte) bool { return '0' <= c && c <= '7' }
		}
		if ok != nil && ok(s[start+2]) {
			l.pos = start + 2
			l.run_(ok)
			l.emit(tokNumber, s[start:l.pos], start)
			return
		}
	}
	intPart := l.run_(isDigit)
	// "1." is a float, and "1...2" is "1." "." ".2", as in PHP.
	if l.pos < len(s) && s[l.pos] == '.' && (intPart || l.pos+1 < len(s) && isDigit(s[l.pos+1])) {
		l.pos++
		l.run_(isDigit)
	}
	if l.pos+1 < len(s) && (s[l.pos] == 'e' || s[l.pos] == 'E') {
		p := l.pos + 1
		if s[p] == '+' || s[p] == '-' {
			p++
		}
		if p < len(s) && isDigit(s[p]) {
			l.pos = p
			l.run_(isDigit)
		}
	}
	l.emit(tokNumber, s[start:l.pos], start)
}

// run_ reads digits accepted by ok with single "_" separators between
// them, reporting whether it read any.
func (l *lexer) run_(ok func(byte) bool) bool {
	s, start := l.src, l.pos
	for l.pos < len(s) && ok(s[l.pos]) {
		l.pos++
		if l.pos+1 < len(s) && s[l.pos] == '_' && ok(s[l.pos+1]) {
			l.pos++
		}
	}
	return l.pos > start
}

// isSpace is PHP's whitespace in code: space, tab and line breaks only
// (a form feed or vertical tab is an unexpected character).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
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
// PHP counts "\r\n", "\n" and a lone "\r" as one line break each.
func lineOf(src string, offset int) int {
	s := src[:min(offset, len(src))]
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}
