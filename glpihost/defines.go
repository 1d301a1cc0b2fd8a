package glpihost

import (
	"fmt"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/php"
)

// defineCall is one define('NAME', value) call (or one constant of a
// top-level "const NAME = value;") found in a file.
type defineCall struct {
	// named is true when the first argument evaluates to a string, name.
	named bool
	name  string
	val   php.Value
	// certain is true for a define PHP runs whenever it includes the file
	// (see constInfo), effective for the first certain define of its name,
	// the one PHP keeps: redefining a constant only raises a warning.
	certain, effective bool
	// isConst marks a "const NAME = value;" declaration.
	isConst bool
	// first and close are the token indexes of the "define" name and of
	// the closing ")"; the value argument is toks[valFirst:valEnd].
	first, close     int
	valFirst, valEnd int
}

// constInfo is what glpinet knows of one constant after reading a file.
type constInfo struct {
	// sure is true when the constant's value is certain: set by a
	// top-level define PHP certainly runs before anything else can set
	// it. When false, why says why it cannot be known.
	sure bool
	val  php.Value
	why  string
	// call indexes consts.calls for a sure constant.
	call int
}

// consts is what a PHP file defines, as far as glpinet can be sure.
type consts struct {
	f     *phpFile
	calls []defineCall
	names map[string]*constInfo
	// any, when not empty, says from where the file may define constants
	// glpinet cannot see (a call it cannot follow, an include...): a name
	// missing from names is then unknown rather than undefined.
	any string
	// stop, when not empty, says where the top-level code may stop or
	// jump: a define placed after it is not certain to run.
	stop string
	// stopped, when not empty, says where the top-level code certainly
	// stops (return, exit, __halt_compiler...).
	stopped string
}

// Define returns the value the PHP file src gives the constant name,
// whether it sets it at all, or an EINVALID error saying why glpinet
// cannot know: see [Defines] for what counts.
func Define(src []byte, name string) (val string, set bool, err error) {
	c, err := readConsts(src, newEvalEnv())
	if err != nil {
		return "", false, err
	}
	return c.lookup(name)
}

// lookup returns a constant's value as [Define] does.
func (c *consts) lookup(name string) (string, bool, error) {
	in, ok := c.names[name]
	switch {
	case !ok && c.any != "":
		return "", false, glpinet.Errorf(glpinet.EINVALID, "%s cannot be known without running PHP: %s", name, c.any)
	case !ok:
		return "", false, nil
	case !in.sure:
		return "", false, glpinet.Errorf(glpinet.EINVALID, "%s cannot be known without running PHP: %s", name, in.why)
	case in.val.Kind == php.Unknown || in.val.Kind == php.Array:
		d := c.calls[in.call]
		return "", false, glpinet.Errorf(glpinet.EINVALID,
			"line %d: %s is set by an expression glpinet cannot evaluate without running PHP; write its value as a plain '...' string.", c.f.line(d.first), name)
	}
	return in.val.S, true, nil
}

// Defines returns the constants that a PHP file certainly sets, by name:
// local_define.php, inc/downstream.php, inc/define.php and
// src/autoload/constants.php are all read with it.
//
// A constant counts only when PHP certainly runs the statement that sets
// it whenever it includes the file, and nothing can have set it before:
// a top-level define('NAME', value); or const NAME = value; statement
// that comes before any __halt_compiler();, not inside a function,
// method, closure, if, loop, switch or try, and not after a top-level
// return, exit, die, throw or goto, nor after code glpinet cannot follow
// (a call of a function other than a few pure built-ins, include,
// new, method calls, "use function", a namespace) or that may stop
// depending on data (division, array access...). Only the first such
// define of a name counts, as in PHP; calls inside comments or strings are
// not calls. A constant set anywhere else, or whose define has three
// arguments, is left out: its value is unknown ([Define] says why).
//
// String values are returned decoded. Other values are spelt as PHP
// source: integers in decimal, floats as written, and "true", "false" or
// "null". Values that cannot be known without running PHP (function calls,
// variables, arrays, ...) are left out.
//
// The error, an EINVALID *glpinet.Error, reports what PHP would refuse
// (a string or comment that never ends, unbalanced brackets) or what
// glpinet cannot read as PHP surely would (short open tags, "#[").
func Defines(src []byte) (map[string]string, error) {
	c, err := readConsts(src, newEvalEnv())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, in := range c.names {
		if in.sure && in.val.Kind != php.Unknown && in.val.Kind != php.Array {
			out[name] = in.val.S
		}
	}
	return out, nil
}

// evalEnv is what the files read so far define, in the order PHP runs
// them: constants for the evaluator, and taint, which, when not empty,
// says where an earlier file may have defined constants glpinet cannot
// see.
type evalEnv struct {
	*php.Env
	taint string
}

// newEvalEnv returns an empty evalEnv. Its arrays keep only their first
// element, the only one a reader needs ($dbhost's first host): keeping
// them all would cost 80 bytes per element of a planted array.
func newEvalEnv() *evalEnv {
	env := &evalEnv{Env: php.NewEnv()}
	env.FirstElemOnly = true
	return env
}

// readConsts parses src and reads its constants in env, which holds what
// earlier files defined and receives what this one defines.
func readConsts(src []byte, env *evalEnv) (*consts, error) {
	f, err := parseFile(src)
	if err != nil {
		return nil, err
	}
	c := &consts{f: f, names: map[string]*constInfo{}, any: env.taint}
	w := walker{c: c, env: env}
	w.top()
	c.stopped = w.stopped
	env.taint = c.any
	return c, nil
}

// walker reads the statements of a file in order.
type walker struct {
	c   *consts
	env *evalEnv
	// stopped is set after a top-level return, exit...: nothing after it
	// runs.
	stopped string
	// safeDefine is set by "use function Safe\define;" (GLPI 11's
	// constants.php), which makes define() throw when it fails.
	safeDefine bool
}

// top walks the top-level statements.
func (w *walker) top() {
	f := w.c.f
	for i := 0; i < len(f.toks); {
		end := f.stmtEnd(i)
		if end <= i {
			end = i + 1
		}
		w.statement(i, end)
		i = end
	}
}

// uncertainReason is why a define at token i is not certain, "" if it is.
func (w *walker) uncertainReason(i int) string {
	switch {
	case w.stopped != "":
		return w.stopped
	case w.c.any != "":
		return w.c.any
	case w.c.stop != "":
		return w.c.stop
	}
	return ""
}

// note records the first event about a constant.
func (w *walker) note(name string, in *constInfo) {
	if _, seen := w.c.names[name]; seen {
		return
	}
	if _, seen := w.env.Consts[name]; seen {
		// Set by an earlier file (or its value unknown there): this
		// define does nothing, as in PHP.
		return
	}
	w.c.names[name] = in
	if in.sure {
		w.env.Consts[name] = in.val
	} else {
		w.env.Consts[name] = php.Value{}
	}
}

func (w *walker) unsure(name string, i int, why string) {
	w.note(name, &constInfo{why: fmt.Sprintf("line %d: %s", w.c.f.line(i), why)})
}

// statement reads the top-level statement toks[i:end].
func (w *walker) statement(i, end int) {
	f := w.c.f
	kw := f.keyword(i)
	switch {
	case kw == "__halt_compiler":
		if w.stopped == "" {
			w.stopped = fmt.Sprintf("line %d: it comes after __halt_compiler();, past which PHP reads nothing", f.line(i))
		}
		return
	case f.toks[i].Kind == php.TokOpenTag || f.toks[i].Kind == php.TokCloseTag || f.isPunct(i, ";"):
		return
	case w.isDefineStatement(i, end):
		w.defineStatement(i, end)
		return
	case w.isDefinedOrDefine(i, end):
		// "defined('X') or define('X', v);" defines X when nothing did
		// before, which glpinet knows from the files it read first.
		w.defineStatement(f.skipGroup(i+1)+1, end)
		return
	case kw == "const":
		w.constStatement(i, end)
		return
	case kw == "use":
		w.useStatement(i, end)
		return
	case kw == "namespace" && !f.isPunct(i+1, "\\"):
		w.taint(i, "a namespace declaration makes define() and constants resolve in that namespace")
		return
	case kw == "declare" && f.isPunct(f.skipGroup(i+1), ";"):
		return
	case kw == "function" && f.stmtEnd(i) == end && !f.isPunct(i+1, "("):
		return // a declaration runs nothing
	case kw == "class" || kw == "interface" || kw == "trait" || kw == "enum" || kw == "abstract" || kw == "final" || kw == "readonly":
		// A class extending or implementing another makes PHP load it,
		// running whatever autoloader is registered.
		for j := i; j < end && !f.isPunct(j, "{"); j++ {
			if k := f.keyword(j); k == "extends" || k == "implements" {
				w.taint(i, "a class declaration that extends another makes PHP load code glpinet cannot see")
				return
			}
		}
		return
	}
	stopKw := kw == "return" || kw == "exit" || kw == "die" || kw == "throw"
	w.scan(i, end, !stopKw)
	if stopKw && w.stopped == "" {
		w.stopped = fmt.Sprintf("line %d: it comes after the top-level %s, past which PHP does not run the file", f.line(i), kw)
	}
}

// isDefineStatement reports whether toks[i:end] is exactly
// "define(...);" (or "\define").
func (w *walker) isDefineStatement(i, end int) bool {
	f := w.c.f
	if !isDefineCall(f.toks, i) {
		return false
	}
	cl := f.skipGroup(i + 1)
	return cl == end-1 && cl < len(f.toks) && (f.isPunct(cl, ";") || f.toks[cl].Kind == php.TokCloseTag)
}

// isDefinedOrDefine reports whether toks[i:end] is
// "defined('X') or define('X', ...);" (or "||"), for the same literal X.
func (w *walker) isDefinedOrDefine(i, end int) bool {
	f := w.c.f
	if !strings.EqualFold(strings.TrimPrefix(f.toks[i].Text, `\`), "defined") || f.toks[i].Kind != php.TokName || !f.isPunct(i+1, "(") {
		return false
	}
	cl := f.skipGroup(i + 1)
	if cl != i+4 || f.toks[i+2].Kind != php.TokString || f.toks[i+2].Dynamic {
		return false
	}
	if f.keyword(cl) != "or" && !(f.isPunct(cl, "|") && f.isPunct(cl+1, "|")) {
		return false
	}
	d := cl + 1
	if f.isPunct(cl, "|") {
		d++
	}
	if !w.isDefineStatement(d, end) {
		return false
	}
	args, ok := splitArgs(f, d+1)
	return ok && args[0][1] == args[0][0]+1 && f.toks[args[0][0]].Kind == php.TokString &&
		!f.toks[args[0][0]].Dynamic && f.toks[args[0][0]].Text == f.toks[i+2].Text
}

// defineStatement reads a top-level define(...); statement.
func (w *walker) defineStatement(i, end int) {
	f := w.c.f
	args, ok := splitArgs(f, i+1)
	if !ok {
		w.scan(i, end, true)
		return
	}
	d := defineCall{first: i, close: f.skipGroup(i+1) - 1, valFirst: args[1][0], valEnd: args[1][1]}
	// Code in the arguments runs before define() does.
	if w.scanRange(i+2, d.close, false) {
		w.c.calls = append(w.c.calls, d)
		return
	}
	name := php.Eval(f.toks[args[0][0]:args[0][1]], w.env.Env)
	if name.Kind != php.String {
		w.taint(i, "define() with a name glpinet cannot evaluate")
		return
	}
	d.named, d.name = true, name.S
	why := w.uncertainReason(i)
	if why == "" && len(args) == 3 && !strings.EqualFold(f.toks[args[2][0]].Text, "false") {
		why = fmt.Sprintf("line %d: define() with a third argument (case-insensitive constants) behaves differently across PHP versions", f.line(i))
	}
	if why != "" {
		w.note(d.name, &constInfo{why: why})
	} else {
		d.certain = true
		d.val = php.Eval(f.toks[d.valFirst:d.valEnd], w.env.Env)
		_, before := w.env.Consts[d.name]
		if _, seen := w.c.names[d.name]; !seen && !before {
			d.effective = true
		}
		w.note(d.name, &constInfo{sure: true, val: d.val, call: len(w.c.calls)})
		if !d.effective && w.safeDefine {
			w.stopped = fmt.Sprintf("line %d: Safe\\define() throws there, as %s is already defined", f.line(i), d.name)
		}
	}
	w.c.calls = append(w.c.calls, d)
}

// constStatement reads "const A = expr, B = expr;".
func (w *walker) constStatement(i, end int) {
	f := w.c.f
	if w.scanRange(i+1, end, false) {
		return
	}
	for j := i + 1; j < end; {
		if f.toks[j].Kind != php.TokName || !f.isPunct(j+1, "=") {
			w.taint(i, "a const declaration glpinet cannot read")
			return
		}
		k := j + 2
		for k < end && !f.isPunct(k, ",") && !f.isPunct(k, ";") && f.toks[k].Kind != php.TokCloseTag {
			k = f.skipGroup(k)
		}
		d := defineCall{named: true, name: f.toks[j].Text, isConst: true, first: j, close: k - 1, valFirst: j + 2, valEnd: k}
		if why := w.uncertainReason(i); why != "" {
			w.note(d.name, &constInfo{why: why})
		} else {
			d.certain = true
			d.val = php.Eval(f.toks[j+2:k], w.env.Env)
			_, before := w.env.Consts[d.name]
			_, seen := w.c.names[d.name]
			if seen || before {
				// Unlike define(), redeclaring a constant with const is
				// fatal on PHP 8 but a warning on 7.4.
				w.stop(j, "a const redeclaring a constant is fatal on PHP 8")
			}
			d.effective = !seen && !before
			w.note(d.name, &constInfo{sure: true, val: d.val, call: len(w.c.calls)})
		}
		w.c.calls = append(w.c.calls, d)
		j = k + 1
	}
}

// useStatement reads a top-level use: class imports change nothing glpinet
// reads; function and constant imports may redirect define() or a
// constant, except GLPI 11's "use function Safe\define;".
func (w *walker) useStatement(i, end int) {
	f := w.c.f
	switch f.keyword(i + 1) {
	case "const":
		w.taint(i, `"use const" changes what constant names refer to`)
	case "function":
		if end == i+4 && f.toks[i+2].Kind == php.TokName && strings.EqualFold(strings.TrimPrefix(f.toks[i+2].Text, `\`), `Safe\define`) {
			w.safeDefine = true
			return
		}
		for j := i + 2; j < end; j++ {
			// thecodingmachine/safe's functions, which GLPI 11 imports,
			// call the built-in of the same name and throw on failure.
			if t := f.toks[j]; t.Kind == php.TokName && !strings.HasPrefix(strings.TrimPrefix(t.Text, `\`), `Safe\`) {
				short := t.Text[strings.LastIndexByte(t.Text, '\\')+1:]
				if k := strings.ToLower(short); k == "define" || safeFuncs[k] {
					w.taint(i, `"use function" replaces `+short+"()")
					return
				}
			}
		}
	}
}

// taint records that from token i on, the file may define constants
// glpinet cannot see.
func (w *walker) taint(i int, why string) {
	if w.c.any == "" && w.stopped == "" {
		w.c.any = fmt.Sprintf("line %d: %s", w.c.f.line(i), why)
	}
}

// stop records that from token i on, the code may stop or jump.
func (w *walker) stop(i int, why string) {
	if w.c.stop == "" {
		w.c.stop = fmt.Sprintf("line %d: it comes after %s", w.c.f.line(i), why)
	}
}

// scan reads a statement that is not a plain define: its defines are
// conditional, its calls may define anything, and it may stop the file.
// Statements after a stop are skipped (they never run).
func (w *walker) scan(i, end int, stopKeywordsStop bool) {
	if w.stopped != "" {
		return
	}
	w.scanRange(i, end, stopKeywordsStop)
}

// safeFuncs are built-in functions that cannot define a constant nor run
// code of the file's author, so that calling them does not hide a define.
var safeFuncs = map[string]bool{
	"getenv": true, "dirname": true, "defined": true, "is_file": true, "is_dir": true,
	"file_exists": true, "is_readable": true, "realpath": true, "basename": true,
	"ini_get": true, "php_sapi_name": true, "strtolower": true, "strtoupper": true,
	"trim": true, "rtrim": true, "ltrim": true, "substr": true, "str_replace": true,
	"sprintf": true, "implode": true, "is_array": true, "is_string": true,
	"version_compare": true, "function_exists": true, "extension_loaded": true,
	"error_reporting": true, "date_default_timezone_set": true, "ini_set": true,
	"sha1_file": true, "is_writable": true, "preg_replace": true, "hash_file": true,
}

// constructs are keywords that look like calls without being calls of
// code.
var constructs = map[string]bool{
	"array": true, "list": true, "isset": true, "empty": true, "unset": true,
	"if": true, "elseif": true, "while": true, "for": true, "foreach": true,
	"switch": true, "match": true, "catch": true, "declare": true, "function": true,
	"fn": true, "use": true, "echo": true, "print": true, "and": true, "or": true,
	"xor": true, "return": true, "as": true, "else": true, "do": true,
	"instanceof": true, "static": true, "global": true, "case": true, "default": true,
}

// scanRange scans toks[i:end], reporting whether it found code that may
// define constants glpinet cannot see.
func (w *walker) scanRange(i, end int, stopKeywordsStop bool) (tainted bool) {
	f := w.c.f
	for k := i; k < end; k++ {
		t := f.toks[k]
		switch t.Kind {
		case php.TokName:
			kw := strings.ToLower(strings.TrimPrefix(t.Text, `\`))
			switch kw {
			case "include", "include_once", "require", "require_once", "eval":
				w.taint(k, kw+" runs code glpinet does not read")
				return true
			case "new", "clone":
				w.taint(k, kw+" runs a constructor glpinet does not read")
				return true
			case "return", "exit", "die", "throw", "goto", "yield", "break", "continue":
				if stopKeywordsStop {
					w.stop(k, "a "+kw+" that may stop or divert the code")
				}
				continue
			}
			if !f.isPunct(k+1, "(") {
				continue
			}
			if isDefineCall(f.toks, k) {
				args, ok := splitArgs(f, k+1)
				if !ok {
					w.taint(k, "a define() call glpinet cannot read")
					return true
				}
				name := php.Eval(f.toks[args[0][0]:args[0][1]], w.env.Env)
				if name.Kind != php.String {
					w.taint(k, "define() with a name glpinet cannot evaluate")
					return true
				}
				w.unsure(name.S, k, "it is defined inside a condition, a block or an expression, which PHP may not run")
				w.c.calls = append(w.c.calls, defineCall{named: true, name: name.S, first: k, close: f.skipGroup(k+1) - 1, valFirst: args[1][0], valEnd: args[1][1]})
				continue
			}
			if !safeFuncs[kw] && !constructs[kw] {
				w.taint(k, "a call of "+t.Text+"(), which may define constants")
				return true
			}
		case php.TokPunct:
			switch t.Text {
			case "::":
				// Class::CONSTANT loads the class through GLPI's
				// autoloader (its own or Composer's code, not the
				// file's author's); Class::method() is a call.
				if k+1 < end && f.toks[k+1].Kind == php.TokName && !f.isPunct(k+2, "(") {
					k++
					continue
				}
				w.taint(k, `"::" calls code glpinet does not follow`)
				return true
			case "->", "?->":
				w.taint(k, `"`+t.Text+`" calls or reads code glpinet does not follow`)
				return true
			case "(":
				if k > i {
					if p := f.toks[k-1]; p.Kind == php.TokVar || p.Kind == php.TokString || p.Kind == php.TokPunct && (p.Text == ")" || p.Text == "]" || p.Text == "}") {
						w.taint(k, "a call of a computed function name")
						return true
					}
				}
			case "/", "%", "*", "+", "-", "<", ">", "&", "|", "^", "~":
				// Arithmetic may throw on PHP 8 depending on data
				// (division by zero, arrays, shifts); a sign before a
				// number does not.
				if (t.Text == "-" || t.Text == "+") && k+1 < end && f.toks[k+1].Kind == php.TokNumber && k > i && !isOperand(f.toks[k-1]) {
					continue
				}
				if k > i && k+1 < end && f.toks[k-1].Kind == php.TokNumber && f.toks[k+1].Kind == php.TokNumber &&
					(t.Text != "/" && t.Text != "%" || strings.Trim(f.toks[k+1].Text, "0._") != "") {
					continue // arithmetic on two number literals
				}
				if (t.Text == "<" || t.Text == ">") && !(k+1 < end && f.isPunct(k+1, t.Text)) {
					continue // a comparison
				}
				w.stop(k, "an operation that may fail depending on data")
			case "[":
				if k > i && isOperand(f.toks[k-1]) {
					w.stop(k, "an array access that may fail depending on data")
				}
			}
		}
	}
	return false
}

// isOperand reports whether t ends an operand, so that a following "-"
// is binary and "[" an access.
func isOperand(t php.Token) bool {
	switch t.Kind {
	case php.TokVar, php.TokString, php.TokNumber, php.TokName:
		return true
	case php.TokPunct:
		return t.Text == ")" || t.Text == "]" || t.Text == "}"
	}
	return false
}

// isDefineCall reports whether toks[i] starts a call of PHP's define():
// "define(" or "\define(", in any case, that is not a method, a static
// method or a function declaration.
func isDefineCall(toks []php.Token, i int) bool {
	if i >= len(toks) {
		return false
	}
	t := toks[i]
	if t.Kind != php.TokName || !strings.EqualFold(strings.TrimPrefix(t.Text, `\`), "define") {
		return false
	}
	if i+1 >= len(toks) || toks[i+1].Kind != php.TokPunct || toks[i+1].Text != "(" {
		return false
	}
	if i == 0 {
		return true
	}
	switch p := toks[i-1]; p.Kind {
	case php.TokPunct:
		return p.Text != "->" && p.Text != "?->" && p.Text != "::"
	case php.TokName:
		switch strings.ToLower(p.Text) {
		case "function", "new", "const", "fn":
			return false
		}
	}
	return true
}

// splitArgs reads the argument list opening at toks[open] ("("). It
// returns the [from, to) token ranges of the arguments; ok is false unless
// there are two or three non-empty arguments.
func splitArgs(f *phpFile, open int) (args [][2]int, ok bool) {
	cl := f.skipGroup(open) - 1
	if cl <= open || !f.isPunct(cl, ")") {
		return nil, false
	}
	from := open + 1
	for k := open + 1; k < cl; k = f.skipGroup(k) {
		if f.isPunct(k, ",") {
			args = append(args, [2]int{from, k})
			from = k + 1
		}
	}
	args = append(args, [2]int{from, cl})
	// PHP allows a trailing comma in calls.
	if n := len(args); n > 1 && args[n-1][0] == args[n-1][1] {
		args = args[:n-1]
	}
	if len(args) < 2 || len(args) > 3 {
		return nil, false
	}
	for _, a := range args {
		if a[0] == a[1] {
			return nil, false
		}
	}
	return args, true
}
