package glpihost

import (
	"strconv"
	"strings"
)

// This file evaluates the side-effect-free PHP expressions that
// configuration files put in define() calls and property defaults:
// literals, "." concatenation, constants already defined, arrays, the
// ?: and ?...: operators and the getenv() and dirname() functions that
// distributions use in inc/downstream.php. Anything else evaluates to
// valUnknown rather than to a guess.

type valueKind uint8

const (
	valUnknown valueKind = iota
	valString
	valInt
	valFloat
	valBool
	valNull
	valArray
)

type value struct {
	kind valueKind
	// s is the string value of a string, the decimal value of an int, the
	// literal as written of a float, and "true", "false" or "null".
	s string
	// elems holds an array's first value (keys are dropped), the only one
	// a reader needs ($dbhost's first host), and n its number of values:
	// keeping them all would cost 50 bytes per element of a planted
	// array.
	elems []value
	n     int
}

// evalEnv is what an expression may refer to.
type evalEnv struct {
	// consts holds the constants defined so far, valUnknown for those
	// whose value could not be evaluated.
	consts map[string]value
	// getenv answers getenv(); nil makes getenv() unknown.
	getenv func(string) string
	// file is the path of the file being read, for __FILE__ and __DIR__;
	// empty makes them unknown.
	file string
	// taint, when not empty, says where an earlier file may have defined
	// constants glpinet cannot see.
	taint string
}

func newEvalEnv() *evalEnv { return &evalEnv{consts: map[string]value{}} }

// evalTokens evaluates toks as one expression.
func evalTokens(toks []token, env *evalEnv) value {
	p := exprParser{toks: toks, env: env}
	v := p.ternary()
	if p.pos != len(toks) || p.tooDeep {
		return value{}
	}
	return v
}

// maxDepth bounds the nesting of expressions, so that a file of ten
// thousand "(" cannot exhaust the stack; configuration values nest two or
// three levels at most.
const maxDepth = 64

type exprParser struct {
	toks    []token
	pos     int
	env     *evalEnv
	depth   int
	tooDeep bool
}

func (p *exprParser) peek(text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokPunct && p.toks[p.pos].text == text
}

func (p *exprParser) accept(text string) bool {
	if p.peek(text) {
		p.pos++
		return true
	}
	return false
}

// ternary := concat [ "?" [ternary] ":" ternary ]
func (p *exprParser) ternary() value {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth || p.tooDeep {
		p.tooDeep = true
		return value{}
	}
	cond := p.concat()
	if !p.accept("?") {
		return cond
	}
	var then value
	short := p.accept(":")
	if !short {
		then = p.ternary()
		if !p.accept(":") {
			return value{}
		}
	}
	alt := p.ternary()
	t, known := truthy(cond)
	switch {
	case !known:
		return value{}
	case t && short:
		return cond
	case t:
		return then
	default:
		return alt
	}
}

// concat := unary { "." unary }
func (p *exprParser) concat() value {
	v := p.unary()
	if !p.peek(".") {
		return v
	}
	var b strings.Builder
	ok := true
	for {
		s, isStr := toString(v)
		ok = ok && isStr
		b.WriteString(s)
		if !p.accept(".") {
			break
		}
		v = p.unary()
	}
	if !ok {
		return value{}
	}
	return value{kind: valString, s: b.String()}
}

// unary := ["-" | "+"] number | primary
func (p *exprParser) unary() value {
	sign := ""
	if p.peek("-") || p.peek("+") {
		sign = p.toks[p.pos].text
		p.pos++
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokNumber {
			return value{}
		}
	}
	v := p.primary()
	if sign == "-" && (v.kind == valInt || v.kind == valFloat) {
		if strings.HasPrefix(v.s, "-") {
			v.s = v.s[1:]
		} else if v.s != "0" {
			v.s = "-" + v.s
		}
	}
	return v
}

func (p *exprParser) primary() value {
	if p.pos >= len(p.toks) {
		return value{}
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tokString:
		if t.dynamic {
			return value{}
		}
		return value{kind: valString, s: t.text}
	case tokNumber:
		return number(t.text)
	case tokName:
		return p.name(t.text)
	case tokPunct:
		switch t.text {
		case "(":
			v := p.ternary()
			if !p.accept(")") {
				return value{}
			}
			return v
		case "[":
			return p.array("]")
		}
	}
	return value{}
}

// name evaluates a keyword, a constant or a function call.
func (p *exprParser) name(n string) value {
	global := strings.TrimPrefix(n, `\`)
	if p.accept("(") {
		switch strings.ToLower(global) {
		case "array":
			return p.array(")")
		case "getenv":
			return p.getenv()
		case "dirname":
			return p.dirname()
		}
		return value{}
	}
	switch strings.ToLower(global) {
	case "true", "false":
		return value{kind: valBool, s: strings.ToLower(global)}
	case "null":
		return value{kind: valNull, s: "null"}
	case "__file__":
		if p.env.file != "" {
			return value{kind: valString, s: p.env.file}
		}
		return value{}
	case "__dir__":
		if p.env.file != "" {
			return value{kind: valString, s: phpDirname(p.env.file, 1)}
		}
		return value{}
	}
	switch global {
	case "DIRECTORY_SEPARATOR":
		return value{kind: valString, s: "/"}
	case "PHP_EOL":
		return value{kind: valString, s: "\n"}
	}
	if v, ok := p.env.consts[global]; ok {
		return v
	}
	return value{}
}

// args reads call arguments up to the closing ")".
func (p *exprParser) args() ([]value, bool) {
	var vs []value
	for !p.accept(")") {
		vs = append(vs, p.ternary())
		if !p.accept(",") && !p.peek(")") {
			return nil, false
		}
	}
	return vs, true
}

// getenv reads getenv('NAME'). An empty variable counts as unset (false):
// the env function cannot tell them apart, and an empty directory is of no
// use anyway.
func (p *exprParser) getenv() value {
	args, ok := p.args()
	if !ok || len(args) != 1 || args[0].kind != valString || p.env.getenv == nil {
		return value{}
	}
	if v := p.env.getenv(args[0].s); v != "" {
		return value{kind: valString, s: v}
	}
	return value{kind: valBool, s: "false"}
}

// dirname reads dirname(path[, levels]).
func (p *exprParser) dirname() value {
	args, ok := p.args()
	if !ok || len(args) < 1 || len(args) > 2 || args[0].kind != valString {
		return value{}
	}
	levels := 1
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1].s)
		if args[1].kind != valInt || err != nil || n < 1 || n > 64 {
			return value{}
		}
		levels = n
	}
	return value{kind: valString, s: phpDirname(args[0].s, levels)}
}

// array reads the elements of array(...) or [...] up to closer.
func (p *exprParser) array(closer string) value {
	arr := value{kind: valArray}
	for !p.accept(closer) {
		v := p.ternary()
		if p.accept("=>") {
			v = p.ternary()
		}
		if arr.n == 0 {
			arr.elems = append(arr.elems, v)
		}
		arr.n++
		if !p.accept(",") && !p.peek(closer) {
			return value{}
		}
	}
	return arr
}

// number classifies a numeric literal. Integers are given in decimal, as
// PHP would print them; floats keep their spelling, since PHP's float
// formatting is not worth reproducing for configuration values.
func number(lit string) value {
	clean := strings.ReplaceAll(lit, "_", "")
	lower := strings.ToLower(clean)
	if !strings.HasPrefix(lower, "0x") && strings.ContainsAny(lower, ".e") {
		return value{kind: valFloat, s: lit}
	}
	// PHP and Go agree on 0x, 0b, 0o and a leading 0 for octal.
	n, err := strconv.ParseInt(clean, 0, 64)
	if err != nil {
		return value{kind: valFloat, s: lit} // PHP turns overflowing integers into floats
	}
	return value{kind: valInt, s: strconv.FormatInt(n, 10)}
}

// toString converts a scalar as PHP's "." does; floats and arrays are
// refused.
func toString(v value) (string, bool) {
	switch v.kind {
	case valString, valInt:
		return v.s, true
	case valBool:
		if v.s == "true" {
			return "1", true
		}
		return "", true
	case valNull:
		return "", true
	}
	return "", false
}

// truthy applies PHP's boolean conversion; known is false when v is
// unknown.
func truthy(v value) (t, known bool) {
	switch v.kind {
	case valString:
		return v.s != "" && v.s != "0", true
	case valInt:
		return v.s != "0", true
	case valFloat:
		f, err := strconv.ParseFloat(strings.ReplaceAll(v.s, "_", ""), 64)
		return err != nil || f != 0, true
	case valBool:
		return v.s == "true", true
	case valNull:
		return false, true
	case valArray:
		return v.n > 0, true
	}
	return false, false
}

// phpDirname is PHP's dirname() for "/"-separated paths: unlike
// path.Dir, it does not clean "..", and "/a/b/" gives "/a".
func phpDirname(p string, levels int) string {
	for range levels {
		t := strings.TrimRight(p, "/")
		if t == "" {
			if p == "" {
				return ""
			}
			return "/"
		}
		i := strings.LastIndexByte(t, '/')
		if i < 0 {
			return "."
		}
		p = strings.TrimRight(t[:i], "/")
		if p == "" {
			p = "/"
		}
	}
	return p
}
