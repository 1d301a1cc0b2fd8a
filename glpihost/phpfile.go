package glpihost

import (
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/php"
)

// This file splits a lexed PHP file into its top-level statements, the
// unit of "code PHP certainly runs": glpinet takes a value only from a
// statement that PHP runs whenever the file is included, in order, and
// that nothing before it can have pre-empted.

// phpFile is a lexed PHP file with its brackets matched.
type phpFile struct {
	src  string
	toks []php.Token
	// match holds, for each bracket token, the index of its partner, and
	// -1 for other tokens.
	match []int32
}

// parseFile lexes src and matches its brackets. Unbalanced brackets are a
// parse error in PHP, and an EINVALID error here.
func parseFile(src []byte) (*phpFile, error) {
	toks, err := php.Lex(src)
	if err != nil {
		return nil, err
	}
	f := &phpFile{src: string(src), toks: toks, match: make([]int32, len(toks))}
	var stack []int32
	for i, t := range toks {
		f.match[i] = -1
		if t.Kind != php.TokPunct {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			stack = append(stack, int32(i))
		case ")", "]", "}":
			if len(stack) == 0 || closer(toks[stack[len(stack)-1]].Text) != t.Text {
				return nil, glpinet.Errorf(glpinet.EINVALID, "line %d: unexpected %q (PHP refuses the file).", f.line(i), t.Text)
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			f.match[o], f.match[i] = int32(i), o
		}
	}
	if len(stack) > 0 {
		o := stack[len(stack)-1]
		return nil, glpinet.Errorf(glpinet.EINVALID, "line %d: %q is never closed (PHP refuses the file).", f.line(int(o)), toks[o].Text)
	}
	return f, nil
}

func closer(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	}
	return "}"
}

// line is the line of token i.
func (f *phpFile) line(i int) int {
	if i >= len(f.toks) {
		return php.Line(f.src, len(f.src))
	}
	return int(f.toks[i].Line)
}

func (f *phpFile) isPunct(i int, text string) bool {
	return i < len(f.toks) && f.toks[i].Kind == php.TokPunct && f.toks[i].Text == text
}

// keyword returns token i lower-cased if it is a name, "" otherwise.
func (f *phpFile) keyword(i int) string {
	if i >= len(f.toks) || f.toks[i].Kind != php.TokName {
		return ""
	}
	return strings.ToLower(f.toks[i].Text)
}

// skipGroup returns the index after the bracket group opening at i, or
// i+1 for any other token.
func (f *phpFile) skipGroup(i int) int {
	if m := f.match[i]; m > int32(i) {
		return int(m) + 1
	}
	return i + 1
}

// stmtEnd returns the index just past the statement starting at token i:
// after its ";" or "?>", or after the block that ends it, the whole
// if/elseif/else, try/catch/finally or do/while chain included.
func (f *phpFile) stmtEnd(i int) int {
	n := len(f.toks)
	if i >= n {
		return n
	}
	if f.toks[i].Kind == php.TokOpenTag || f.toks[i].Kind == php.TokCloseTag || f.isPunct(i, ";") {
		return i + 1
	}
	if f.isPunct(i, "{") {
		return f.skipGroup(i)
	}
	switch kw := f.keyword(i); kw {
	case "if", "while", "for", "foreach", "switch", "declare":
		j := i + 1
		if !f.isPunct(j, "(") {
			return f.exprEnd(i)
		}
		j = f.skipGroup(j)
		if f.isPunct(j, ":") {
			return f.altEnd(i, kw)
		}
		j = f.stmtEnd(j)
		for kw == "if" {
			switch f.keyword(j) {
			case "elseif":
				if !f.isPunct(j+1, "(") {
					return j
				}
				j = f.stmtEnd(f.skipGroup(j + 1))
			case "else":
				j = f.stmtEnd(j + 1)
			default:
				return j
			}
		}
		return j
	case "do":
		j := f.stmtEnd(i + 1)
		if f.keyword(j) == "while" {
			return f.exprEnd(j)
		}
		return j
	case "try":
		j := f.stmtEnd(i + 1)
		for {
			switch f.keyword(j) {
			case "catch":
				if !f.isPunct(j+1, "(") {
					return j
				}
				j = f.stmtEnd(f.skipGroup(j + 1))
			case "finally":
				j = f.stmtEnd(j + 1)
			default:
				return j
			}
		}
	case "function":
		if j := i + 1 + boolInt(f.isPunct(i+1, "&")); j < n && f.toks[j].Kind == php.TokName {
			return f.blockEnd(i) // a declaration; "function (" is a closure
		}
	case "abstract", "final", "readonly", "class", "interface", "trait", "enum":
		if kw != "class" || !f.isPunct(i+1, "(") { // "class(" is not a declaration
			return f.blockEnd(i)
		}
	case "namespace":
		if !f.isPunct(i+1, "\\") {
			for j := i + 1; j < n; j = f.skipGroup(j) {
				if f.isPunct(j, ";") || f.toks[j].Kind == php.TokCloseTag {
					return j + 1
				}
				if f.isPunct(j, "{") {
					return f.skipGroup(j)
				}
			}
			return n
		}
	}
	return f.exprEnd(i)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exprEnd returns the index after the ";" or "?>" that ends the simple
// statement starting at i, skipping bracket groups.
func (f *phpFile) exprEnd(i int) int {
	for j := i; j < len(f.toks); j = f.skipGroup(j) {
		if f.isPunct(j, ";") || f.toks[j].Kind == php.TokCloseTag {
			return j + 1
		}
	}
	return len(f.toks)
}

// blockEnd returns the index after the first "{...}" group from i, for
// declarations.
func (f *phpFile) blockEnd(i int) int {
	for j := i; j < len(f.toks); j = f.skipGroup(j) {
		if f.isPunct(j, "{") {
			return f.skipGroup(j)
		}
		if f.isPunct(j, ";") {
			return j + 1
		}
	}
	return len(f.toks)
}

// altEnd returns the end of an alternative-syntax block ("if (...): ...
// endif;") opened at i, counting nested blocks of the same keyword.
func (f *phpFile) altEnd(i int, kw string) int {
	end := "end" + kw
	depth := 0
	for j := i; j < len(f.toks); j = f.skipGroup(j) {
		switch f.keyword(j) {
		case kw:
			if f.isPunct(j+1, "(") && f.isPunct(f.skipGroup(j+1), ":") {
				depth++
			}
		case end:
			depth--
			if depth == 0 {
				return f.exprEnd(j)
			}
		}
	}
	return len(f.toks)
}
