package glpihost

import "strings"

// defineCall is one define('NAME', value) call found in a file.
type defineCall struct {
	// named is true when the first argument evaluates to a string, name.
	named bool
	name  string
	val   value
	// effective is true for the first define of its name, the one PHP
	// keeps: redefining a constant only raises a warning.
	effective bool
	// first and close are the token indexes of the "define" name and of
	// the closing ")"; the value argument is toks[valFirst:valEnd].
	first, close     int
	valFirst, valEnd int
}

// Defines returns the constants that the define() calls of a PHP file set,
// by name: local_define.php, inc/downstream.php, inc/define.php and
// src/autoload/constants.php are all read with it.
//
// String values are returned decoded. Other values are spelt as PHP
// source: integers in decimal, floats as written, and "true", "false" or
// "null". Values that cannot be known without running PHP (function
// calls, variables, arrays, ...) are left out. Only the first define of a
// name counts, as in PHP. Calls inside comments or strings are not calls.
// Conditions are not evaluated: a define inside an if block counts.
//
// The error, an EINVALID *glpinet.Error, reports a string, comment or
// heredoc that never ends, which PHP would reject too.
func Defines(src []byte) (map[string]string, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, d := range findDefines(toks, newEvalEnv()) {
		if d.effective && d.val.kind != valUnknown && d.val.kind != valArray {
			out[d.name] = d.val.s
		}
	}
	return out, nil
}

// findDefines lists the define() calls of toks in source order, recording
// each effective one in env.consts so that later calls can refer to it.
// A define nested in the arguments of another is not listed: editing the
// outer one rewrites it anyway.
func findDefines(toks []token, env *evalEnv) []defineCall {
	var calls []defineCall
	for i := 0; i < len(toks); i++ {
		if !isDefineCall(toks, i) {
			continue
		}
		args, closeIdx, ok := splitArgs(toks, i+1)
		if !ok {
			continue
		}
		d := defineCall{first: i, close: closeIdx, valFirst: args[1][0], valEnd: args[1][1]}
		if name := evalTokens(toks[args[0][0]:args[0][1]], env); name.kind == valString {
			d.named, d.name = true, name.s
			if _, seen := env.consts[d.name]; !seen {
				d.effective = true
				d.val = evalTokens(toks[d.valFirst:d.valEnd], env)
				env.consts[d.name] = d.val
			}
		}
		calls = append(calls, d)
		i = closeIdx
	}
	return calls
}

// isDefineCall reports whether toks[i] starts a call of PHP's define():
// "define(" or "\define(", in any case, that is not a method, a static
// method, a function declaration or an attribute.
func isDefineCall(toks []token, i int) bool {
	t := toks[i]
	if t.kind != tokName || !strings.EqualFold(strings.TrimPrefix(t.text, `\`), "define") {
		return false
	}
	if i+1 >= len(toks) || toks[i+1].kind != tokPunct || toks[i+1].text != "(" {
		return false
	}
	if i == 0 {
		return true
	}
	switch p := toks[i-1]; p.kind {
	case tokPunct:
		return p.text != "->" && p.text != "?->" && p.text != "::" && p.text != "#["
	case tokName:
		switch strings.ToLower(p.text) {
		case "function", "new", "const", "fn":
			return false
		}
	}
	return true
}

// splitArgs reads the argument list opening at toks[open] ("("). It
// returns the [from, to) token ranges of the arguments and the index of
// the closing ")"; ok is false unless there are two or three non-empty
// arguments and the list closes within the same PHP block.
func splitArgs(toks []token, open int) (args [][2]int, closeIdx int, ok bool) {
	depth, from := 0, open+1
	for k := open; k < len(toks); k++ {
		t := toks[k]
		switch {
		case t.kind == tokOpenTag || t.kind == tokCloseTag:
			return nil, 0, false
		case t.kind != tokPunct:
		case t.text == "(" || t.text == "[" || t.text == "{" || t.text == "#[":
			depth++
		case t.text == ")" || t.text == "]" || t.text == "}":
			depth--
			if depth > 0 {
				continue
			}
			if t.text != ")" {
				return nil, 0, false
			}
			args = append(args, [2]int{from, k})
			// PHP allows a trailing comma in calls.
			if n := len(args); n > 1 && args[n-1][0] == args[n-1][1] {
				args = args[:n-1]
			}
			if len(args) < 2 || len(args) > 3 {
				return nil, 0, false
			}
			for _, a := range args {
				if a[0] == a[1] {
					return nil, 0, false
				}
			}
			return args, k, true
		case t.text == "," && depth == 1:
			args = append(args, [2]int{from, k})
			from = k + 1
		}
	}
	return nil, 0, false
}
