package php

import (
	"strconv"
	"strings"
)

// This file evaluates the side-effect-free PHP expressions that
// configuration files and plugins' setup.php put in define() calls,
// constants and property defaults: literals, "." concatenation, constants
// already defined, arrays, the ?: and ?...: operators and the getenv()
// and dirname() functions that distributions use in inc/downstream.php.
// Anything else evaluates to Unknown rather than to a guess.

// ValueKind is the type of a [Value].
type ValueKind uint8

// The kinds of values.
const (
	Unknown ValueKind = iota // computed at run time, or not understood
	String
	Int
	Float
	Bool
	Null
	Array
)

// Value is a PHP value known without running code.
type Value struct {
	Kind ValueKind
	// S is the value of a string, the decimal value of an int, the
	// literal as written of a float (PHP's float formatting is not worth
	// reproducing for configuration values), and "true", "false" or
	// "null".
	S string
	// Elems holds an array's elements in order, or only the first one
	// with Env.FirstElemOnly; Len is the number of elements.
	Elems []Elem
	Len   int
}

// Elem is one array element. Keyed is false for an element without an
// explicit key, or whose key is not a string or an integer.
type Elem struct {
	Key   string
	Keyed bool
	Val   Value
}

// Get returns the element of an array with the given key, like $v[$key]:
// the last one wins, as when PHP builds the array. It returns an Unknown
// value when there is none, when v is not an array, or when v does not
// hold all its elements.
func (v Value) Get(key string) Value {
	if v.Kind != Array || len(v.Elems) != v.Len {
		return Value{}
	}
	for i := len(v.Elems) - 1; i >= 0; i-- {
		if e := v.Elems[i]; e.Keyed && e.Key == key {
			return e.Val
		}
	}
	return Value{}
}

// AsString converts a scalar as PHP's "." does; floats (whose formatting
// is not reproduced), arrays and unknown values are refused.
func (v Value) AsString() (string, bool) {
	switch v.Kind {
	case String, Int:
		return v.S, true
	case Bool:
		if v.S == "true" {
			return "1", true
		}
		return "", true
	case Null:
		return "", true
	}
	return "", false
}

// Truthy applies PHP's boolean conversion; known is false when v is
// Unknown.
func (v Value) Truthy() (t, known bool) {
	switch v.Kind {
	case String:
		return v.S != "" && v.S != "0", true
	case Int:
		return v.S != "0", true
	case Float:
		f, err := strconv.ParseFloat(strings.ReplaceAll(v.S, "_", ""), 64)
		return err != nil || f != 0, true
	case Bool:
		return v.S == "true", true
	case Null:
		return false, true
	case Array:
		return v.Len > 0, true
	}
	return false, false
}

// Env is what an expression may refer to. Make it with [NewEnv].
type Env struct {
	// Consts holds the constants defined so far, Unknown for those whose
	// value could not be evaluated. A leading "\" is not part of a name;
	// class constants are named "Class::NAME".
	Consts map[string]Value
	// Getenv answers getenv(); nil makes getenv() unknown.
	Getenv func(string) string
	// File is the path of the file being read, for __FILE__ and __DIR__;
	// empty makes them unknown.
	File string
	// Call evaluates a call of a function that is not built in (array,
	// getenv, dirname) from its name (without a leading "\") and its
	// arguments; nil makes such calls unknown.
	Call func(name string, args []Value) Value
	// QualifiedFallback makes a qualified name that is not defined
	// (A\B\NAME, or A\Class::NAME) resolve to its last segment: lenient,
	// for readers that do not follow namespaces and "use".
	QualifiedFallback bool
	// UnknownElems makes an array element that cannot be evaluated
	// Unknown, instead of the whole array: for readers that take a few
	// elements by key (setup.php's 'version') and ignore the others.
	UnknownElems bool
	// FirstElemOnly makes arrays keep only their first element (and
	// count the others), so that a planted array of a million elements
	// costs nothing: a reader that needs only $dbhost's first host sets
	// it.
	FirstElemOnly bool
	// concatenated counts the bytes concatenations have built; see
	// concatBudget.
	concatenated int
}

// NewEnv returns an empty Env.
func NewEnv() *Env { return &Env{Consts: map[string]Value{}} }

// maxConcat bounds one concatenation's result, and concatBudget all the
// concatenations of one Env together: each constant can reuse the
// previous ones, so that without a bound a few lines of
// define('B', A . A); would double a string up to gigabytes. Nothing a
// configuration file or setup.php legitimately builds comes close.
const (
	maxConcat    = 64 << 10
	concatBudget = 1 << 20
)

// Eval evaluates toks as one expression in env. It is Unknown unless all
// of toks make one expression it can evaluate.
func Eval(toks []Token, env *Env) Value {
	p := exprParser{toks: toks, env: env}
	v := p.ternary()
	if p.pos != len(toks) || p.tooDeep {
		return Value{}
	}
	return v
}

// maxDepth bounds the nesting of expressions, so that a file of ten
// thousand "(" cannot exhaust the stack; configuration values nest two or
// three levels at most.
const maxDepth = 64

type exprParser struct {
	toks    []Token
	pos     int
	env     *Env
	depth   int
	tooDeep bool
}

func (p *exprParser) peek(text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].Kind == TokPunct && p.toks[p.pos].Text == text
}

func (p *exprParser) accept(text string) bool {
	if p.peek(text) {
		p.pos++
		return true
	}
	return false
}

// ternary := concat [ "?" [ternary] ":" ternary ]
func (p *exprParser) ternary() Value {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth || p.tooDeep {
		p.tooDeep = true
		return Value{}
	}
	cond := p.concat()
	if !p.accept("?") {
		return cond
	}
	var then Value
	short := p.accept(":")
	if !short {
		then = p.ternary()
		if !p.accept(":") {
			return Value{}
		}
	}
	alt := p.ternary()
	t, known := cond.Truthy()
	switch {
	case !known:
		return Value{}
	case t && short:
		return cond
	case t:
		return then
	default:
		return alt
	}
}

// concat := unary { "." unary }
func (p *exprParser) concat() Value {
	v := p.unary()
	if !p.peek(".") {
		return v
	}
	// Join all operands at once: pairwise joining would copy
	// quadratically.
	parts := []string{}
	size, ok := 0, true
	for {
		s, isStr := v.AsString()
		ok = ok && isStr
		parts = append(parts, s)
		size += len(s)
		if !p.accept(".") {
			break
		}
		v = p.unary()
	}
	if !ok || size > maxConcat || p.env.concatenated+size > concatBudget {
		return Value{}
	}
	p.env.concatenated += size
	return Value{Kind: String, S: strings.Join(parts, "")}
}

// unary := ["-" | "+"] number | primary
func (p *exprParser) unary() Value {
	sign := ""
	if p.peek("-") || p.peek("+") {
		sign = p.toks[p.pos].Text
		p.pos++
		if p.pos >= len(p.toks) || p.toks[p.pos].Kind != TokNumber {
			return Value{}
		}
	}
	v := p.primary()
	if sign == "-" && (v.Kind == Int || v.Kind == Float) {
		if strings.HasPrefix(v.S, "-") {
			v.S = v.S[1:]
		} else if v.S != "0" {
			v.S = "-" + v.S
		}
	}
	return v
}

func (p *exprParser) primary() Value {
	if p.pos >= len(p.toks) {
		return Value{}
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.Kind {
	case TokString:
		if t.Dynamic {
			return Value{}
		}
		return Value{Kind: String, S: t.Text}
	case TokNumber:
		return number(t.Text)
	case TokName:
		return p.name(t.Text)
	case TokPunct:
		switch t.Text {
		case "(":
			v := p.ternary()
			if !p.accept(")") {
				return Value{}
			}
			return v
		case "[":
			return p.array("]")
		}
	}
	return Value{}
}

// name evaluates a keyword, a constant, a class constant or a function
// call.
func (p *exprParser) name(n string) Value {
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
		if p.env.Call == nil {
			return Value{}
		}
		args, ok := p.args()
		if !ok {
			return Value{}
		}
		return p.env.Call(global, args)
	}
	if p.peek("::") && p.pos+1 < len(p.toks) && p.toks[p.pos+1].Kind == TokName {
		p.pos += 2
		return p.constant(global + "::" + p.toks[p.pos-1].Text)
	}
	switch strings.ToLower(global) {
	case "true", "false":
		return Value{Kind: Bool, S: strings.ToLower(global)}
	case "null":
		return Value{Kind: Null, S: "null"}
	case "__file__":
		if p.env.File != "" {
			return Value{Kind: String, S: p.env.File}
		}
		return Value{}
	case "__dir__":
		if p.env.File != "" {
			return Value{Kind: String, S: phpDirname(p.env.File, 1)}
		}
		return Value{}
	}
	switch global {
	case "DIRECTORY_SEPARATOR":
		return Value{Kind: String, S: "/"}
	case "PHP_EOL":
		return Value{Kind: String, S: "\n"}
	}
	return p.constant(global)
}

// constant looks a constant up; see Env.QualifiedFallback.
func (p *exprParser) constant(name string) Value {
	if v, ok := p.env.Consts[name]; ok {
		return v
	}
	if j := strings.LastIndexByte(name, '\\'); j >= 0 && p.env.QualifiedFallback {
		return p.env.Consts[name[j+1:]]
	}
	return Value{}
}

// args reads call arguments up to the closing ")".
func (p *exprParser) args() ([]Value, bool) {
	var vs []Value
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
func (p *exprParser) getenv() Value {
	args, ok := p.args()
	if !ok || len(args) != 1 || args[0].Kind != String || p.env.Getenv == nil {
		return Value{}
	}
	if v := p.env.Getenv(args[0].S); v != "" {
		return Value{Kind: String, S: v}
	}
	return Value{Kind: Bool, S: "false"}
}

// dirname reads dirname(path[, levels]).
func (p *exprParser) dirname() Value {
	args, ok := p.args()
	if !ok || len(args) < 1 || len(args) > 2 || args[0].Kind != String {
		return Value{}
	}
	levels := 1
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1].S)
		if args[1].Kind != Int || err != nil || n < 1 || n > 64 {
			return Value{}
		}
		levels = n
	}
	return Value{Kind: String, S: phpDirname(args[0].S, levels)}
}

// array reads the elements of array(...) or [...] up to closer.
func (p *exprParser) array(closer string) Value {
	arr := Value{Kind: Array}
	for !p.accept(closer) {
		e := Elem{Val: p.element()}
		if p.accept("=>") {
			k := e.Val
			e = Elem{Key: k.S, Keyed: k.Kind == String || k.Kind == Int, Val: p.element()}
		}
		if arr.Len == 0 || !p.env.FirstElemOnly {
			arr.Elems = append(arr.Elems, e)
		}
		arr.Len++
		if !p.accept(",") && !p.peek(closer) {
			return Value{}
		}
	}
	return arr
}

// element reads an array key or value; see Env.UnknownElems.
func (p *exprParser) element() Value {
	if !p.env.UnknownElems {
		return p.ternary()
	}
	// Find the end of the element first, so that an element that cannot
	// be evaluated is skipped whole.
	end := p.pos + ExprEnd(p.toks[p.pos:])
	for i := p.pos; i < end; i++ {
		if t := p.toks[i]; t.Kind == TokPunct && t.Text == ";" {
			// A statement ends inside brackets: PHP refuses this, and
			// the array is Unknown.
			p.pos = i
			return Value{}
		}
	}
	sub := exprParser{toks: p.toks[p.pos:end], env: p.env, depth: p.depth}
	v := sub.ternary()
	p.pos = end
	if sub.pos != len(sub.toks) || sub.tooDeep {
		return Value{}
	}
	return v
}

// ExprEnd returns the index of the token that ends the expression
// starting toks: the first ",", "=>" or ";" outside brackets, or the
// closing bracket of a group the expression is in; len(toks) if none.
func ExprEnd(toks []Token) int {
	depth := 0
	for i, t := range toks {
		if t.Kind != TokPunct {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return i
			}
			depth--
		case ",", "=>", ";":
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// number classifies a numeric literal. Integers are given in decimal, as
// PHP would print them; floats keep their spelling.
func number(lit string) Value {
	clean := strings.ReplaceAll(lit, "_", "")
	lower := strings.ToLower(clean)
	if !strings.HasPrefix(lower, "0x") && strings.ContainsAny(lower, ".e") {
		return Value{Kind: Float, S: lit}
	}
	// PHP and Go agree on 0x, 0b, 0o and a leading 0 for octal.
	n, err := strconv.ParseInt(clean, 0, 64)
	if err != nil {
		return Value{Kind: Float, S: lit} // PHP turns overflowing integers into floats
	}
	return Value{Kind: Int, S: strconv.FormatInt(n, 10)}
}

// phpDirname is PHP's dirname() for "/"-separated paths: unlike path.Dir,
// it does not clean "..", and "/a/b/" gives "/a".
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
