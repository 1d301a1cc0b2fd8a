package php

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// String literals, separate from lex.go because their escape rules are the
// part that decides whether a password is read correctly.

// singleQuoted reads a '...' string, where only \' and \\ are escapes:
// every other backslash is literal.
func (l *lexer) singleQuoted(start int) {
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\'':
			l.pos++
			l.emit(TokString, b.String(), start)
			return
		case c == '\\' && l.pos+1 < len(l.src) && (l.src[l.pos+1] == '\'' || l.src[l.pos+1] == '\\'):
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	l.fail(start, "unterminated string.")
}

// doubleQuoted reads a "..." string (or a `...` shell command, which is
// always dynamic), decoding PHP's escapes. A string that interpolates
// variables is marked dynamic: its value is not known without running PHP.
func (l *lexer) doubleQuoted(start int, quote byte) {
	l.pos++
	var b strings.Builder
	dynamic, closed := l.body(&b, quote)
	if !closed {
		l.fail(start, "unterminated string.")
		return
	}
	l.add(Token{Kind: TokString, Text: b.String(), Start: int32(start), End: int32(l.pos), Dynamic: dynamic || quote == '`'})
}

// body decodes the body of a double-quoted string, a shell command or a
// heredoc into b, up to and past the closing quote (quote 0: to the end
// of the source). It reports whether the body interpolates variables, and
// false for closed if the quote never comes or the lexer failed. The
// "{$...}" and "${...}" forms hold PHP code, with strings and comments of
// its own: Lex refuses them, LexLenient follows that code.
func (l *lexer) body(b *strings.Builder, quote byte) (dynamic, closed bool) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == quote && quote != 0:
			l.pos++
			return dynamic, true
		case c == '\\' && l.pos+1 < len(l.src):
			if !l.escape(b, quote) {
				return dynamic, false
			}
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			dynamic = true
			l.pos++
		case c == '$' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '{',
			c == '{' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '$':
			if !l.lenient {
				l.fail(l.pos, complexInterpolation)
				return dynamic, false
			}
			dynamic = true
			if !l.interpolation() {
				return dynamic, false
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return dynamic, quote == 0 && l.errWhat == ""
}

const complexInterpolation = `"{$" and "${" in a string hold PHP code that glpinet does not read; use '...' strings and "." instead.`

// maxInterpolationDepth bounds how deeply LexLenient follows
// interpolations within interpolations, so that a file of nested "{$"
// cannot exhaust the stack.
const maxInterpolationDepth = 32

// interpolation skips the "{$...}" or "${...}" at l.pos, following the
// code inside up to its closing "}" (LexLenient only). Its tokens are not
// kept: the string is dynamic anyway. It reports false when the lexer
// failed.
func (l *lexer) interpolation() bool {
	if l.interpDepth >= maxInterpolationDepth {
		l.fail(l.pos, "string interpolations nested too deeply.")
		return false
	}
	at := l.pos
	if l.src[l.pos] == '$' {
		l.pos++ // "${": the code starts after the "{"
	}
	l.pos++
	n, line, lineAt := len(l.toks), l.line, l.lineAt
	braces, inInterp := l.braces, l.inInterp
	l.braces, l.inInterp = 0, true
	l.interpDepth++
	l.code()
	l.interpDepth--
	l.braces, l.inInterp = braces, inInterp
	l.toks, l.line, l.lineAt = l.toks[:n], line, lineAt
	if l.errWhat != "" {
		return false
	}
	if !l.interpClosed {
		l.fail(at, "unterminated string interpolation.")
		return false
	}
	l.interpClosed = false
	return true
}

// escape decodes the backslash sequence at l.pos into b. Unknown sequences
// are kept as written, backslash included, as PHP does; so is \" in a
// heredoc (quote 0). It reports false, having failed the lexer, on an
// invalid \u{...}, which PHP refuses.
func (l *lexer) escape(b *strings.Builder, quote byte) bool {
	s := l.src
	c := s[l.pos+1]
	l.pos += 2
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
		// Up to three octal digits; PHP keeps the low byte of larger values.
		v := int(c - '0')
		for n := 1; n < 3 && l.pos < len(s) && '0' <= s[l.pos] && s[l.pos] <= '7'; n++ {
			v = v*8 + int(s[l.pos]-'0')
			l.pos++
		}
		b.WriteByte(byte(v))
	case 'x':
		if l.pos < len(s) && isHexDigit(s[l.pos]) {
			v := unhex(s[l.pos])
			l.pos++
			if l.pos < len(s) && isHexDigit(s[l.pos]) {
				v = v<<4 | unhex(s[l.pos])
				l.pos++
			}
			b.WriteByte(v)
			return true
		}
		b.WriteString(`\x`)
	case 'u':
		// "\u" without "{" is kept as written; "\u{" must be followed by
		// hex digits and "}" and name a code point up to 0x10FFFF, or
		// PHP refuses the file.
		if l.pos >= len(s) || s[l.pos] != '{' {
			b.WriteString(`\u`)
			return true
		}
		p := l.pos + 1
		for p < len(s) && isHexDigit(s[p]) {
			p++
		}
		digits := strings.TrimLeft(s[l.pos+1:p], "0")
		if p == l.pos+1 || p >= len(s) || s[p] != '}' {
			l.fail(l.pos-2, `invalid \u{...} escape in a string (PHP refuses the file).`)
			return false
		}
		cp, err := strconv.ParseUint("0"+digits, 16, 32)
		if len(digits) > 6 || err != nil || cp > utf8.MaxRune {
			l.fail(l.pos-2, `\u{...} escape beyond U+10FFFF in a string (PHP refuses the file).`)
			return false
		}
		b.WriteString(phpUTF8(rune(cp)))
		l.pos = p + 1
	default:
		if c == quote && quote != 0 {
			b.WriteByte(c)
			return true
		}
		b.WriteByte('\\')
		l.pos-- // the character after the backslash is read normally
	}
	return true
}

// phpUTF8 encodes a code point as PHP does, surrogates included (Go's
// encoder would turn those into U+FFFD).
func phpUTF8(r rune) string {
	if r >= 0xD800 && r <= 0xDFFF {
		return string([]byte{0xE0 | byte(r>>12), 0x80 | byte(r>>6)&0x3F, 0x80 | byte(r)&0x3F})
	}
	return string(r)
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
