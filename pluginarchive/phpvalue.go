package pluginarchive

import "strings"

// This file reads PHP values out of the token stream of lexPHP: literals,
// constants, concatenations and array literals, the subset of PHP that
// setup.php files use to describe a plugin.

type valueKind uint8

const (
	valUnknown valueKind = iota // computed at run time, or not understood
	valString                   // strings and numbers (as written)
	valArray
	valOther // true, false, null: known, but not a string
)

// phpValue is a PHP value known without running code.
type phpValue struct {
	kind  valueKind
	str   string
	elems []phpElem
}

// phpElem is one array element. Elements without an explicit key (or with
// a key that is not a string or number) have keyed false.
type phpElem struct {
	key   string
	keyed bool
	val   phpValue
}

var unknown = phpValue{}

func stringValue(s string) phpValue { return phpValue{kind: valString, str: s} }

// get returns the element of an array with the given key, like $v[$key]:
// the last one wins, as when PHP builds the array.
func (v phpValue) get(key string) phpValue {
	for i := len(v.elems) - 1; i >= 0; i-- {
		if e := v.elems[i]; e.keyed && e.key == key {
			return e.val
		}
	}
	return unknown
}

// string returns the value of a string, or "" for anything else.
func (v phpValue) string() string {
	if v.kind == valString {
		return v.str
	}
	return ""
}

// maxNesting bounds the recursion of the reader: deeper brackets are
// skipped as unknown values, so hostile input cannot exhaust the stack.
const maxNesting = 64

// concatBudget bounds the bytes all concatenations of one reader may
// build together, since each constant can reuse the previous ones.
const concatBudget = 1 << 20

// phpReader evaluates expressions of a token stream.
type phpReader struct {
	toks   []token
	consts map[string]phpValue
	depth  int
	budget int // bytes concatenations may still build; see concatBudget
}

func newPHPReader(src []byte) *phpReader {
	return &phpReader{toks: lexPHP(src), consts: make(map[string]phpValue), budget: concatBudget}
}

func (r *phpReader) isPunct(i int, p string) bool {
	return i < len(r.toks) && r.toks[i].kind == tokPunct && r.toks[i].text == p
}

func (r *phpReader) isName(i int, name string) bool {
	return i < len(r.toks) && r.toks[i].kind == tokName && strings.EqualFold(strings.TrimPrefix(r.toks[i].text, `\`), name)
}

// atEnd reports whether token i ends an expression.
func (r *phpReader) atEnd(i int) bool {
	if i >= len(r.toks) {
		return true
	}
	t := r.toks[i]
	if t.kind != tokPunct {
		return false
	}
	switch t.text {
	case ",", ")", "]", "}", ";", "=>":
		return true
	}
	return false
}

// skip returns the index of the token ending the expression at i, stepping
// over bracketed groups. It does not recurse.
func (r *phpReader) skip(i int) int {
	depth := 0
	for ; i < len(r.toks); i++ {
		t := r.toks[i]
		if t.kind != tokPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return i
			}
			depth--
		case ",", ";", "=>":
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// skipGroup returns the index after the bracket closing the one at i.
func (r *phpReader) skipGroup(i int) int {
	depth := 0
	for ; i < len(r.toks); i++ {
		if r.toks[i].kind != tokPunct {
			continue
		}
		switch r.toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// value reads the expression at i and returns its value and the index of
// the token ending it. Expressions beyond literals, constants,
// concatenation, arrays and translation calls are unknown.
func (r *phpReader) value(i int) (phpValue, int) {
	v, i := r.concat(i)
	if !r.atEnd(i) {
		return unknown, r.skip(i)
	}
	return v, i
}

func (r *phpReader) concat(i int) (phpValue, int) {
	v, i := r.term(i)
	if !r.isPunct(i, ".") {
		return v, i
	}
	// Join all operands at once: pairwise joining would copy quadratically.
	parts := []phpValue{v}
	size := len(v.str)
	for r.isPunct(i, ".") {
		v, i = r.term(i + 1)
		parts = append(parts, v)
		size += len(v.str)
	}
	for _, p := range parts {
		if p.kind != valString {
			return unknown, i
		}
	}
	if size > maxStringLen || size > r.budget {
		return unknown, i
	}
	r.budget -= size
	var b strings.Builder
	b.Grow(size)
	for _, p := range parts {
		b.WriteString(p.str)
	}
	return stringValue(b.String()), i
}

func (r *phpReader) term(i int) (phpValue, int) {
	if i >= len(r.toks) {
		return unknown, i
	}
	if r.depth >= maxNesting {
		return unknown, r.skip(i)
	}
	r.depth++
	defer func() { r.depth-- }()

	t := r.toks[i]
	switch t.kind {
	case tokString:
		if t.dynamic {
			return unknown, i + 1
		}
		return stringValue(t.text), i + 1
	case tokNumber:
		return stringValue(t.text), i + 1
	case tokName:
		return r.nameTerm(i)
	case tokPunct:
		switch {
		case (t.text == "-" || t.text == "+") && i+1 < len(r.toks) && r.toks[i+1].kind == tokNumber:
			return stringValue(strings.TrimPrefix(t.text, "+") + r.toks[i+1].text), i + 2
		case t.text == "[":
			return r.array(i+1, "]")
		case t.text == "(":
			v, j := r.value(i + 1)
			if !r.isPunct(j, ")") {
				return unknown, j
			}
			return v, j + 1
		}
	}
	return unknown, i
}

// nameTerm reads a term starting with a name: array(...), a function call,
// a constant, or a class constant.
func (r *phpReader) nameTerm(i int) (phpValue, int) {
	name := strings.TrimPrefix(r.toks[i].text, `\`)
	switch {
	case strings.EqualFold(name, "array") && r.isPunct(i+1, "("):
		return r.array(i+2, ")")
	case r.isPunct(i+1, "("):
		return r.call(name, i+2)
	case r.isPunct(i+1, "::") && i+2 < len(r.toks) && r.toks[i+2].kind == tokName:
		return r.constant(name + "::" + r.toks[i+2].text), i + 3
	case strings.EqualFold(name, "true"), strings.EqualFold(name, "false"), strings.EqualFold(name, "null"):
		return phpValue{kind: valOther}, i + 1
	}
	return r.constant(name), i + 1
}

// constant resolves a constant defined earlier in setup.php. A qualified
// name also matches its last segment, as code in a namespace falls back to
// the global constant.
func (r *phpReader) constant(name string) phpValue {
	if v, ok := r.consts[name]; ok {
		return v
	}
	if j := strings.LastIndexByte(name, '\\'); j >= 0 {
		if v, ok := r.consts[name[j+1:]]; ok {
			return v
		}
	}
	return unknown
}

// translators maps GLPI's gettext helpers to the position of the
// untranslated message among their arguments: __('Name', 'domain'),
// _x('context', 'Name', 'domain'), _n('singular', 'plural', n, 'domain')...
var translators = map[string]int{"__": 0, "__s": 0, "_n": 0, "_sn": 0, "_x": 1, "_sx": 1, "_nx": 1}

// call reads a function call whose arguments start at i.
func (r *phpReader) call(name string, i int) (phpValue, int) {
	var args []phpValue
	for !r.isPunct(i, ")") {
		if i >= len(r.toks) {
			return unknown, i
		}
		if r.isPunct(i, ",") {
			i++
			continue
		}
		var v phpValue
		v, i = r.value(i)
		if !r.isPunct(i, ",") && !r.isPunct(i, ")") {
			return unknown, i
		}
		args = append(args, v)
	}
	i++ // ")"
	if n, ok := translators[strings.ToLower(name)]; ok && n < len(args) && args[n].kind == valString {
		return args[n], i
	}
	return unknown, i
}

// array reads array elements starting at i up to the closing bracket.
func (r *phpReader) array(i int, closing string) (phpValue, int) {
	arr := phpValue{kind: valArray}
	for {
		switch {
		case i >= len(r.toks):
			return unknown, i
		case r.isPunct(i, closing):
			return arr, i + 1
		case r.isPunct(i, ","):
			i++
			continue
		}
		var k phpValue
		k, i = r.value(i)
		e := phpElem{val: k}
		if r.isPunct(i, "=>") {
			e = phpElem{key: k.str, keyed: k.kind == valString}
			e.val, i = r.value(i + 1)
		}
		arr.elems = append(arr.elems, e)
		if !r.isPunct(i, ",") && !r.isPunct(i, closing) {
			return unknown, i // mismatched brackets
		}
	}
}
