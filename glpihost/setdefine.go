package glpihost

import (
	"bytes"
	"sort"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/php"
)

// SetDefine returns src with the constant name defined to the string
// value, and whether that changed anything. It edits local_define.php for
// "glpinet configure", so it touches as few bytes as it can, and it makes
// sure the result takes effect (see [Defines] for what PHP certainly
// runs):
//
//   - When src already sets name with a top-level define (its first one,
//     the one PHP keeps), only the value of that call is replaced, by value
//     written as a single-quoted PHP string; indentation, the quotes around
//     the name, a third argument and everything else stay as they were. If
//     the current value already equals value, src is returned unchanged.
//   - When src sets name where PHP may not run it (in a condition, after a
//     return...), SetDefine refuses with an EINVALID error naming the
//     line, rather than add a second define that would, or would not, win.
//   - Otherwise define('name', 'value'); is added on a line of its own.
//     In a file that PHP runs to its end, that is at the end of the last
//     PHP block: before a closing "?>" if the file has one, else at the
//     end of the file. In a file that may stop, jump or run code glpinet
//     cannot follow, it goes first, right after the first "<?php" (and
//     after a declare()), where PHP certainly runs it before anything else.
//     Line endings follow the file's (CRLF or LF). If the last statement
//     lacks its ";" (legal before "?>"), one is added so that the file
//     still parses.
//   - An empty (or whitespace-only) src becomes "<?php\n\ndefine(...);\n".
//
// Errors are EINVALID: a file glpinet cannot read as PHP surely would
// (see [Defines]), or a define it cannot edit safely.
func SetDefine(src []byte, name, value string) (out []byte, changed bool, err error) {
	stmt := "define(" + phpQuote(name) + ", " + phpQuote(value) + ");"
	if isBlank(src) {
		return []byte("<?php\n\n" + stmt + "\n"), true, nil
	}
	c, err := readConsts(src, newEvalEnv())
	if err != nil {
		return nil, false, err
	}
	toks := c.f.toks
	in, seen := c.names[name]
	switch {
	case seen && !in.sure:
		return nil, false, glpinet.Errorf(glpinet.EINVALID,
			"%s is already set where glpinet cannot be sure PHP runs it (%s); make it a plain top-level define('%s', '...'); or remove it, then run glpinet again.", name, in.why, name)
	case seen:
		d := c.calls[in.call]
		if d.val.Kind == php.String && d.val.S == value {
			return src, false, nil
		}
		out = splice(src, edit{int(toks[d.valFirst].Start), int(toks[d.valEnd-1].End), phpQuote(value)})
	case c.any == "" && c.stop == "" && c.stopped == "":
		out = insertStatement(src, toks, stmt)
	default:
		out = insertFirst(src, c.f, stmt)
	}
	// Check the result as any reader would.
	if got, set, err := Define(out, name); err != nil || !set || got != value {
		return nil, false, glpinet.Errorf(glpinet.EINVALID,
			"glpinet could not place define('%s', ...) where PHP certainly runs it in this file; add it by hand as the first statement after <?php.", name)
	}
	return out, true, nil
}

// insertFirst adds stmt as the first statement PHP runs in the file:
// right after the first "<?php", or after the declare() statements that
// must come first.
func insertFirst(src []byte, f *phpFile, stmt string) []byte {
	eol := lineEnding(src)
	if len(f.toks) == 0 || f.toks[0].Kind != php.TokOpenTag || f.toks[0].Text == "<?=" {
		// Text only, or a file starting with "<?=": a block of its own
		// first. The newline after "?>" is swallowed by PHP, so no
		// output is added.
		return splice(src, edit{0, 0, "<?php " + stmt + " ?>" + eol})
	}
	i := 1
	for f.keyword(i) == "declare" && f.isPunct(f.skipGroup(i+1), ";") {
		i = f.skipGroup(i+1) + 1
	}
	at := int(f.toks[i-1].End)
	return splice(src, edit{at, at, eol + stmt})
}

// RemoveDefine returns src without any define() of name, and whether it
// changed. A define that is a statement of its own is deleted with its
// ";", and with its line when nothing else is on it. A define used inside
// an expression ("defined('X') or define('X', 1);", "if (...) define(...);")
// is replaced by "(true)", the value define() returns, so that the file
// still parses and behaves as before except for the constant. A file
// glpinet cannot read is returned unchanged.
func RemoveDefine(src []byte, name string) ([]byte, bool) {
	c, err := readConsts(src, newEvalEnv())
	if err != nil {
		return src, false
	}
	calls := c.calls
	sort.Slice(calls, func(a, b int) bool { return calls[a].first < calls[b].first })
	var edits []edit
	last := -1
	for _, d := range calls {
		// A define nested in the arguments of another goes with it.
		if d.named && d.name == name && !d.isConst && d.first > last {
			edits = append(edits, removal(src, c.f.toks, d))
			last = d.close
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
func insertStatement(src []byte, toks []php.Token, stmt string) []byte {
	eol := lineEnding(src)
	lastOpen := -1
	for i, t := range toks {
		if t.Kind == php.TokOpenTag {
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
		if toks[i].Kind == php.TokCloseTag {
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
		edits = append(edits, edit{int(t.End), int(t.End), ";"})
	}
	switch {
	case closeTag < 0:
		text := stmt + eol
		if src[len(src)-1] != '\n' {
			text = eol + text
		}
		edits = append(edits, edit{len(src), len(src), text})
	default:
		at := int(toks[closeTag].Start)
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
func removal(src []byte, toks []php.Token, d defineCall) edit {
	from, to := int(toks[d.first].Start), int(toks[d.close].End)
	prevEnds := d.first == 0 || endsStatement(toks[d.first-1])
	next := d.close + 1
	switch {
	case prevEnds && next < len(toks) && toks[next].Kind == php.TokPunct && toks[next].Text == ";":
		to = int(toks[next].End)
	case prevEnds && (next == len(toks) || toks[next].Kind == php.TokCloseTag):
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
func endsStatement(t php.Token) bool {
	return t.Kind == php.TokOpenTag || t.Kind == php.TokPunct && (t.Text == ";" || t.Text == "{" || t.Text == "}")
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
