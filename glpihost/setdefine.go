package glpihost

import (
	"bytes"
	"strings"
)

// SetDefine returns src with the constant name defined to the string
// value, and whether that changed anything. It edits local_define.php for
// "glpinet configure", so it touches as few bytes as it can:
//
//   - When src already defines name (its first define, the one PHP keeps),
//     only the value argument of that call is replaced, by value written
//     as a single-quoted PHP string; indentation, the quotes around the
//     name, a third argument and everything else stay as they were. If the
//     current value already equals value, src is returned unchanged.
//   - Otherwise define('name', 'value'); is added on a line of its own at
//     the end of the last PHP block: before a closing "?>" if the file has
//     one, else at the end of the file, after a line ending if the file
//     does not end with one. Line endings follow the file's (CRLF or LF).
//     If the last statement lacks its ";" (legal before "?>"), one is
//     added after it so that the file still parses.
//   - An empty (or whitespace-only) src becomes "<?php\n\ndefine(...);\n".
//
// src should be a file [Defines] accepts: in a file with an unterminated
// comment or string, the new call could land inside it.
func SetDefine(src []byte, name, value string) (out []byte, changed bool) {
	stmt := "define(" + phpQuote(name) + ", " + phpQuote(value) + ");"
	if isBlank(src) {
		return []byte("<?php\n\n" + stmt + "\n"), true
	}
	toks, _ := lex(src)
	for _, d := range findDefines(toks, newEvalEnv()) {
		if !d.effective || d.name != name {
			continue
		}
		if d.val.kind == valString && d.val.s == value {
			return src, false
		}
		return splice(src, edit{toks[d.valFirst].start, toks[d.valEnd-1].end, phpQuote(value)}), true
	}
	return insertStatement(src, toks, stmt), true
}

// RemoveDefine returns src without any define() of name, and whether it
// changed. A define that is a statement of its own is deleted with its
// ";", and with its line when nothing else is on it. A define used inside
// an expression ("defined('X') or define('X', 1);", "if (...) define(...);")
// is replaced by "(true)", the value define() returns, so that the file
// still parses and behaves as before except for the constant.
func RemoveDefine(src []byte, name string) ([]byte, bool) {
	toks, _ := lex(src)
	var edits []edit
	for _, d := range findDefines(toks, newEvalEnv()) {
		if d.named && d.name == name {
			edits = append(edits, removal(src, toks, d))
		}
	}
	if len(edits) == 0 {
		return src, false
	}
	return splice(src, edits...), true
}

// edit replaces src[from:to] with text.
type edit struct {
	from, to int
	text     string
}

// splice applies edits, which must be sorted and not overlap, to a copy of
// src.
func splice(src []byte, edits ...edit) []byte {
	var b bytes.Buffer
	last := 0
	for _, e := range edits {
		b.Write(src[last:e.from])
		b.WriteString(e.text)
		last = e.to
	}
	b.Write(src[last:])
	return b.Bytes()
}

// insertStatement adds stmt, a complete statement, at the end of the last
// PHP block of src.
func insertStatement(src []byte, toks []token, stmt string) []byte {
	eol := lineEnding(src)
	lastOpen := -1
	for i, t := range toks {
		if t.kind == tokOpenTag {
			lastOpen = i
		}
	}
	if lastOpen < 0 {
		// Only inline HTML: open a PHP block after it.
		text := "<?php" + eol + eol + stmt + eol
		if src[len(src)-1] != '\n' {
			text = eol + text
		}
		return splice(src, edit{len(src), len(src), text})
	}
	closeTag := -1
	for i := lastOpen + 1; i < len(toks); i++ {
		if toks[i].kind == tokCloseTag {
			closeTag = i
			break
		}
	}
	lastTok := len(toks) - 1
	if closeTag >= 0 {
		lastTok = closeTag - 1
	}
	var edits []edit
	if t := toks[lastTok]; !endsStatement(t) {
		edits = append(edits, edit{t.end, t.end, ";"})
	}
	switch {
	case closeTag < 0:
		text := stmt + eol
		if src[len(src)-1] != '\n' {
			text = eol + text
		}
		edits = append(edits, edit{len(src), len(src), text})
	default:
		at := toks[closeTag].start
		if ls := lineStart(src, at); isBlank(src[ls:at]) {
			// "?>" on a line of its own: the statement goes on the line
			// before it.
			edits = append(edits, edit{ls, ls, stmt + eol})
		} else {
			edits = append(edits, edit{at, at, eol + stmt + eol})
		}
	}
	return splice(src, edits...)
}

// removal returns the edit that deletes define call d.
func removal(src []byte, toks []token, d defineCall) edit {
	from, to := toks[d.first].start, toks[d.close].end
	prevEnds := d.first == 0 || endsStatement(toks[d.first-1])
	next := d.close + 1
	switch {
	case prevEnds && next < len(toks) && toks[next].kind == tokPunct && toks[next].text == ";":
		to = toks[next].end
	case prevEnds && (next == len(toks) || toks[next].kind == tokCloseTag):
	default:
		return edit{from, to, "(true)"}
	}
	// Take the whole line when the statement is alone on it.
	ls := lineStart(src, from)
	le := bytes.IndexByte(src[to:], '\n')
	if le < 0 {
		le = len(src)
	} else {
		le += to
	}
	if isBlank(src[ls:from]) && isBlank(src[to:le]) {
		from = ls
		to = min(le+1, len(src))
	}
	return edit{from, to, ""}
}

// endsStatement reports whether a statement may start right after t.
func endsStatement(t token) bool {
	return t.kind == tokOpenTag || t.kind == tokPunct && (t.text == ";" || t.text == "{" || t.text == "}")
}

// phpQuote writes s as a single-quoted PHP string. Escaping every
// backslash, not only those PHP would misread, keeps the rule obvious.
func phpQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// lineEnding returns the line ending of src's first line, "\n" by default.
func lineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// lineStart returns the offset of the start of the line holding offset.
func lineStart(src []byte, offset int) int {
	return bytes.LastIndexByte(src[:offset], '\n') + 1
}

// isBlank reports whether b holds only spaces, tabs and line breaks.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
