package php

import (
	"fmt"
	"strings"

	"github.com/glpinet/glpinet"
)

// This file is the tokenizer. Regular expressions over a whole file cannot
// tell a define() from the same text inside a comment or a string, nor a
// ";" or "//" inside a password from real syntax; a tokenizer can. Every
// token keeps its byte offsets so that editors can splice the original
// bytes instead of regenerating the file.
//
// It follows the rules of PHP's own scanner (Zend/zend_language_scanner.l)
// for PHP 7.4 to 8.4, the versions GLPI 10 and 11 run on, because a file
// read differently by glpinet and by PHP makes glpinet act on a database
// or a server GLPI does not use. Where PHP's reading depends on something
// glpinet cannot know (an ini setting, the PHP version), Lex refuses the
// file rather than guess: short open tags, "#[", characters PHP 7.4 skips
// but PHP 8 rejects. It never needs more than a few bytes of memory per
// byte of source (see BenchmarkLexWorstCase).

// TokKind is the kind of a [Token].
type TokKind uint8

// The kinds of tokens. Whitespace, comments and inline HTML make none.
const (
	TokPunct    TokKind = iota // operators and brackets; Text holds them
	TokName                    // identifiers, keywords and qualified names (\define)
	TokVar                     // $variables; Text holds the name without "$"
	TokString                  // string literals; Text holds the decoded value
	TokNumber                  // numeric literals; Text holds them as written
	TokOpenTag                 // <?php or <?=
	TokCloseTag                // ?>, with the one line ending PHP swallows after it
)

// Token is one token of a PHP source. It takes 32 bytes: sources are far
// below 2 GiB (every reader goes through a size limit), so offsets and
// lines fit in an int32.
type Token struct {
	Kind TokKind
	// Dynamic marks a string whose value is only known at run time
	// (interpolation, shell command): Text is not its value.
	Dynamic bool
	// Start and End are the byte offsets of the token in the source, Line
	// the 1-based line of Start.
	Start, End, Line int32
	Text             string
}

// Lex splits src into tokens, skipping inline HTML, whitespace and
// comments, and stopping at __halt_compiler();, past which PHP reads
// nothing. Its error, an EINVALID *glpinet.Error giving the line, reports
// what PHP would reject (a string or comment that never ends, an invalid
// escape) or what glpinet cannot be sure PHP reads as it does; the tokens
// read up to that point are returned with it.
func Lex(src []byte) ([]Token, error) {
	return lex(src, false)
}

// LexLenient is [Lex] for readers that only look for declarations and
// treat what they do not understand as unknown (a plugin's setup.php):
// where PHP's reading depends on its version or settings, it takes the
// reading of PHP 8 with short_open_tag on ("<?" opens code, "#[" starts
// an attribute, stray bytes are skipped), and it follows the code of
// "{$...}" and "${...}" interpolations instead of refusing them. It still
// stops, with an error, where PHP refuses the file.
func LexLenient(src []byte) ([]Token, error) {
	return lex(src, true)
}

func lex(src []byte, lenient bool) ([]Token, error) {
	l := lexer{src: string(src), lenient: lenient, line: 1}
	// Configuration files average more than 8 bytes per token; a denser
	// file regrows once, straight to the most tokens it can hold (one per
	// byte), so that reading never allocates more than about 40 bytes of
	// tokens per byte of source, however the file is made.
	l.toks = make([]Token, 0, len(src)/8+16)
	l.run()
	if l.errWhat != "" {
		return l.toks, glpinet.Errorf(glpinet.EINVALID, "line %d: %s", Line(l.src, l.errAt), l.errWhat)
	}
	return l.toks, nil
}

type lexer struct {
	src     string
	pos     int
	toks    []Token
	lenient bool
	// errWhat says what is wrong, errAt where.
	errWhat string
	errAt   int
	// halted is set once __halt_compiler has been read.
	halted bool
	// line is the line of lineAt, the start of the last token emitted:
	// lines are counted from there, so that the source is scanned once.
	line, lineAt int
	// braces counts the "{" open in the code of an interpolation
	// (lenient mode), inInterp whether code() runs inside one,
	// interpDepth how deeply interpolations nest, and interpClosed whether
	// code() stopped at the interpolation's closing "}".
	braces       int
	inInterp     bool
	interpDepth  int
	interpClosed bool
}

// fail records why the source is refused and stops the lexer.
func (l *lexer) fail(at int, format string, args ...any) {
	if l.errWhat == "" {
		l.errWhat, l.errAt = fmt.Sprintf(format, args...), at
	}
	l.pos = len(l.src)
}

func (l *lexer) emit(kind TokKind, text string, start int) {
	l.add(Token{Kind: kind, Text: text, Start: int32(start), End: int32(l.pos)})
}

// add appends t, numbering its line and growing the token slice at most
// once (see lex).
func (l *lexer) add(t Token) {
	if len(l.toks) == cap(l.toks) {
		grown := make([]Token, len(l.toks), max(len(l.src)+1, 2*cap(l.toks)))
		copy(grown, l.toks)
		l.toks = grown
	}
	// A token never starts between "\r" and "\n", so counting from one
	// start to the next counts "\r\n" once.
	l.line += lineBreaks(l.src[l.lineAt:t.Start])
	l.lineAt = int(t.Start)
	t.Line = int32(l.line)
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
		case l.lenient:
			// short_open_tag on: "<?" alone opens code.
		default:
			// "<?" alone, "<?xml", "<?phpinfo": code if short_open_tag
			// is on, text if it is off; glpinet cannot know which.
			l.fail(start, `"<?" is PHP code only when PHP's short_open_tag setting is on, which glpinet cannot know; write "<?php " (followed by a space or a line break) or remove it.`)
			return
		}
		l.emit(TokOpenTag, l.src[start:l.pos], start)
		l.code()
	}
}

// code tokenizes PHP code up to "?>" or the end of the source, or, inside
// an interpolation, up to its closing "}".
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
			l.emit(TokCloseTag, "?>", start)
			return
		case strings.HasPrefix(rest, "#[") && l.lenient:
			// PHP 8 reads an attribute: "#", then its brackets.
			l.pos++
			l.emit(TokPunct, "#", l.pos-1)
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
			l.emit(TokVar, l.ident(), start)
		case isIdentStart(c) || c == '\\' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			l.name()
		case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
			l.number()
		case l.inInterp && c == '}' && l.braces == 0:
			l.pos++
			l.interpClosed = true
			return
		case strings.IndexByte(punctChars, c) >= 0:
			if l.inInterp && c == '{' {
				l.braces++
			} else if l.inInterp && c == '}' {
				l.braces--
			}
			l.punct()
		case l.lenient:
			l.pos++ // PHP 7.4 skips it
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
			l.emit(TokPunct, p, start)
			return
		}
	}
	l.pos++
	l.emit(TokPunct, rest[:1], start)
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
	l.emit(TokName, l.src[start:l.pos], start)
	if strings.EqualFold(l.src[start:l.pos], "__halt_compiler") && !l.afterArrow(start) && !l.inInterp {
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
	if prev.Kind != TokPunct || prev.Text != "->" && prev.Text != "?->" {
		return false
	}
	for _, c := range []byte(l.src[prev.End:start]) {
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
			l.emit(TokCloseTag, "?>", l.pos-2)
			break
		}
		if !strings.HasPrefix(l.src[l.pos:], want) {
			l.fail(at, "__halt_compiler must be followed by \"();\".")
			return
		}
		l.pos++
		l.emit(TokPunct, want, l.pos-1)
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
			l.digits(ok)
			l.emit(TokNumber, s[start:l.pos], start)
			return
		}
	}
	intPart := l.digits(isDigit)
	// "1." is a float, and "1...2" is "1." "." ".2", as in PHP.
	if l.pos < len(s) && s[l.pos] == '.' && (intPart || l.pos+1 < len(s) && isDigit(s[l.pos+1])) {
		l.pos++
		l.digits(isDigit)
	}
	if l.pos+1 < len(s) && (s[l.pos] == 'e' || s[l.pos] == 'E') {
		p := l.pos + 1
		if s[p] == '+' || s[p] == '-' {
			p++
		}
		if p < len(s) && isDigit(s[p]) {
			l.pos = p
			l.digits(isDigit)
		}
	}
	l.emit(TokNumber, s[start:l.pos], start)
}

// digits reads digits accepted by ok with single "_" separators between
// them, reporting whether it read any.
func (l *lexer) digits(ok func(byte) bool) bool {
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

// Line returns the 1-based line of offset in src, for error messages.
// PHP counts "\r\n", "\n" and a lone "\r" as one line break each.
func Line(src string, offset int) int {
	return 1 + lineBreaks(src[:min(offset, len(src))])
}

// lineBreaks counts the line breaks in s as PHP does.
func lineBreaks(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}
