package glpihost

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
			l.emit(tokString, b.String(), start)
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
// The "{$...}" and "${...}" forms are refused: they hold PHP code, with
// strings and comments of its own, that this tokenizer does not follow.
func (l *lexer) doubleQuoted(start int, quote byte) {
	l.pos++
	var b strings.Builder
	dynamic := quote == '`'
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == quote:
			l.pos++
			l.add(token{kind: tokString, text: b.String(), start: int32(start), end: int32(l.pos), dynamic: dynamic})
			return
		case c == '\\' && l.pos+1 < len(l.src):
			if !l.escape(&b, quote) {
				return
			}
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			dynamic = true
			l.pos++
		case c == '$' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '{',
			c == '{' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '$':
			l.fail(l.pos, complexInterpolation)
			return
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	l.fail(start, "unterminated string.")
}

const complexInterpolation = `"{$" and "${" in a string hold PHP code that glpinet does not read; use '...' strings and "." instead.`

// escape decodes the backslash sequence at l.pos into b. Unknown sequences
// are kept as written, backslash included, as PHP does. It reports false,
// having failed the lexer, on an invalid \u{...}, which PHP refuses.
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
		if c == quote {
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

// heredoc reads a <<<ID heredoc or <<<'ID' nowdoc (from start, which
// may be a "b" prefix) as one dynamic string token: configuration files
// do not use them, they only must not derail the tokenizer. It follows
// PHP 7.3 and later: the opening line ends with "\n", "\r" or "\r\n";
// the body ends at the first line that starts, after optional
// indentation, with ID not followed by a name character. A heredoc (not a
// nowdoc) holding "{$" or "${" is refused, as in double-quoted strings.
// It reports false, consuming nothing, when "<<<" does not start one.
func (l *lexer) heredoc(start int) bool {
	s := l.src
	p := l.pos + 3
	if s[l.pos] == 'b' || s[l.pos] == 'B' {
		p++
	}
	for p < len(s) && (s[p] == ' ' || s[p] == '\t') {
		p++
	}
	var quote byte
	if p < len(s) && (s[p] == '"' || s[p] == '\'') {
		quote = s[p]
		p++
	}
	if p >= len(s) || !isIdentStart(s[p]) {
		return false
	}
	idStart := p
	for p < len(s) && isIdentChar(s[p]) {
		p++
	}
	id := s[idStart:p]
	if quote != 0 {
		if p >= len(s) || s[p] != quote {
			return false
		}
		p++
	}
	switch {
	case strings.HasPrefix(s[p:], "\r\n"):
		p += 2
	case p < len(s) && (s[p] == '\n' || s[p] == '\r'):
		p++
	default:
		return false
	}
	for line := p; ; {
		q := line
		for q < len(s) && (s[q] == ' ' || s[q] == '\t') {
			q++
		}
		if strings.HasPrefix(s[q:], id) && (q+len(id) == len(s) || !isIdentChar(s[q+len(id)])) {
			if quote != '\'' {
				if i := strings.Index(s[p:line], "{$"); i >= 0 {
					l.fail(p+i, complexInterpolation)
					return true
				}
				if i := strings.Index(s[p:line], "${"); i >= 0 {
					l.fail(p+i, complexInterpolation)
					return true
				}
			}
			l.pos = q + len(id)
			l.add(token{kind: tokString, start: int32(start), end: int32(l.pos), dynamic: true})
			return true
		}
		nl := strings.IndexAny(s[line:], "\r\n")
		if nl < 0 {
			l.fail(start, "unterminated heredoc.")
			return true
		}
		line += nl + 1
		if s[line-1] == '\r' && line < len(s) && s[line] == '\n' {
			line++
		}
	}
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
