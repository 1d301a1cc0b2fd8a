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
func (l *lexer) singleQuoted() {
	start := l.pos
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
	l.fail("string", start)
}

// doubleQuoted reads a "..." string (or a `...` shell command, which is
// always dynamic), decoding PHP's escapes. A string that interpolates
// variables is marked dynamic: its value is not known without running PHP.
func (l *lexer) doubleQuoted(quote byte) {
	start := l.pos
	l.pos++
	var b strings.Builder
	dynamic := quote == '`'
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == quote:
			l.pos++
			l.toks = append(l.toks, token{kind: tokString, text: b.String(), start: start, end: l.pos, dynamic: dynamic})
			return
		case c == '\\' && l.pos+1 < len(l.src):
			l.escape(&b, quote)
		case c == '$' && l.pos+1 < len(l.src) && isIdentStart(l.src[l.pos+1]):
			dynamic = true
			l.pos++
		case c == '$' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '{',
			c == '{' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '$':
			// "{$a["k"]}" may hold quotes of its own: skip to the
			// matching brace so that they do not end the string.
			dynamic = true
			l.skipInterpolation()
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	l.fail("string", start)
}

// escape decodes the backslash sequence at l.pos into b. Unknown sequences
// are kept as written, backslash included, as PHP does.
func (l *lexer) escape(b *strings.Builder, quote byte) {
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
			return
		}
		b.WriteString(`\x`)
	case 'u':
		if end := strings.IndexByte(s[l.pos:], '}'); l.pos < len(s) && s[l.pos] == '{' && end > 1 {
			if cp, err := strconv.ParseUint(s[l.pos+1:l.pos+end], 16, 32); err == nil && cp <= utf8.MaxRune {
				b.WriteString(string(rune(cp)))
				l.pos += end + 1
				return
			}
		}
		b.WriteString(`\u`)
	default:
		if c == quote {
			b.WriteByte(c)
			return
		}
		b.WriteByte('\\')
		l.pos-- // the character after the backslash is read normally
	}
}

// skipInterpolation skips a {$...} or ${...} interpolation, including any
// quoted strings nested in it.
func (l *lexer) skipInterpolation() {
	depth := 0
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; c {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				l.pos++
				return
			}
		case '\'', '"':
			l.pos++
			for l.pos < len(l.src) && l.src[l.pos] != c {
				if l.src[l.pos] == '\\' {
					l.pos++
				}
				l.pos++
			}
		}
		l.pos++
	}
}

// heredoc reads a <<<ID heredoc or <<<'ID' nowdoc as one dynamic string
// token (configuration files do not use them; they only must not derail
// the tokenizer). It reports false, consuming nothing, when "<<<" does not
// start one.
func (l *lexer) heredoc() bool {
	s, start := l.src, l.pos
	p := l.pos + 3
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
	if p < len(s) && s[p] == '\r' {
		p++
	}
	if p >= len(s) || s[p] != '\n' {
		return false
	}
	// The body ends at the first line that starts, after optional
	// indentation, with the identifier not followed by a name character.
	for line := p + 1; ; {
		q := line
		for q < len(s) && (s[q] == ' ' || s[q] == '\t') {
			q++
		}
		if strings.HasPrefix(s[q:], id) && (q+len(id) == len(s) || !isIdentChar(s[q+len(id)])) {
			l.pos = q + len(id)
			l.toks = append(l.toks, token{kind: tokString, start: start, end: l.pos, dynamic: true})
			return true
		}
		nl := strings.IndexByte(s[line:], '\n')
		if nl < 0 {
			l.fail("heredoc", start)
			return true
		}
		line += nl + 1
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
