package php

import "strings"

// heredoc reads a <<<ID heredoc or <<<'ID' nowdoc (from start, which
// may be a "b" prefix) as one string token. It follows PHP 7.3 and later:
// the opening line ends with "\n", "\r" or "\r\n"; the body ends at the
// first line that starts, after optional indentation, with ID not
// followed by a name character; that indentation is removed from every
// line of the body, and the line break before the closing ID is not part
// of the value. A heredoc (not a nowdoc) then decodes escapes and
// interpolates like a double-quoted string. It reports false, consuming
// nothing, when "<<<" does not start one.
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
			l.pos = q + len(id)
			l.heredocToken(start, p, s[p:line], s[line:q], quote == '\'')
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

// heredocToken emits the heredoc that starts at start, whose body (from
// offset bodyAt up to the line of the closing ID) and closing indentation
// are given.
func (l *lexer) heredocToken(start, bodyAt int, body, indent string, nowdoc bool) {
	switch {
	case strings.HasSuffix(body, "\r\n"):
		body = body[:len(body)-2]
	case strings.HasSuffix(body, "\n") || strings.HasSuffix(body, "\r"):
		body = body[:len(body)-1]
	}
	body, ok := stripIndent(body, indent)
	if !ok {
		l.fail(start, "heredoc body indented less than its closing identifier, or with tabs and spaces mixed (PHP refuses the file).")
		return
	}
	t := Token{Kind: TokString, Text: body, Start: int32(start), End: int32(l.pos)}
	if !nowdoc {
		// Decode on a lexer of its own: the body is no longer a slice of
		// the source.
		sub := lexer{src: body, lenient: l.lenient, interpDepth: l.interpDepth}
		var b strings.Builder
		t.Dynamic, _ = sub.body(&b, 0)
		if sub.errWhat != "" {
			// Stripping keeps every line break: the error is on the same
			// line of the source.
			at := bodyAt
			for range lineBreaks(body[:sub.errAt]) {
				at += strings.IndexAny(l.src[at:], "\r\n") + 1
				if l.src[at-1] == '\r' && at < len(l.src) && l.src[at] == '\n' {
					at++
				}
			}
			l.fail(at, "%s", sub.errWhat)
			return
		}
		t.Text = b.String()
		if t.Dynamic {
			t.Text = ""
		}
	}
	l.add(t)
}

// stripIndent removes indent from the start of every line of body, as
// PHP does for a heredoc whose closing ID is indented. ok is false where
// PHP refuses the file: a line (other than a whitespace-only one) with
// less indentation, or tabs and spaces mixed.
func stripIndent(body, indent string) (string, bool) {
	if indent == "" {
		return body, true
	}
	useSpaces := indent[0] == ' '
	if strings.ContainsRune(indent, ' ') && strings.ContainsRune(indent, '\t') {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(body))
	for rest := body; ; {
		i := 0
		for ; i < len(indent) && i < len(rest) && rest[i] != '\n' && rest[i] != '\r'; i++ {
			if c := rest[i]; c != ' ' && c != '\t' || c == ' ' != useSpaces {
				return "", false
			}
		}
		rest = rest[i:]
		nl := strings.IndexAny(rest, "\r\n")
		if nl < 0 {
			b.WriteString(rest)
			return b.String(), true
		}
		nl++
		if rest[nl-1] == '\r' && nl < len(rest) && rest[nl] == '\n' {
			nl++
		}
		b.WriteString(rest[:nl])
		rest = rest[nl:]
	}
}
