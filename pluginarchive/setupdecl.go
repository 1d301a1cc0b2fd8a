package pluginarchive

import (
	"strings"

	"github.com/glpinet/glpinet/internal/php"
)

// This file finds the declarations setup.php is read for: its constants
// and its plugin_version_<key>() function.

// collectConstants evaluates, in source order, the constants setup.php
// declares with define('NAME', value) or const NAME = value. Source order
// matters: a constant can only use those declared before it, and the first
// declaration of a name wins, as in PHP. Constants declared in a class body
// are recorded as "Class::NAME".
func (r *setupReader) collectConstants() {
	var (
		namespace string
		classes   []string // per open brace: the class it opens, or ""
		nextClass string   // class declared, its brace not yet seen
	)
	for i := 0; i < len(r.toks); i++ {
		t := r.toks[i]
		prev := php.Token{}
		if i > 0 {
			prev = r.toks[i-1]
		}
		// A name after "->", "::" or "function" is a member or function
		// name, not the keyword or the define() function.
		member := prev.Kind == php.TokPunct && (prev.Text == "->" || prev.Text == "?->" || prev.Text == "::") ||
			prev.Kind == php.TokName && strings.EqualFold(prev.Text, "function")
		switch {
		case t.Kind == php.TokPunct && t.Text == "{":
			classes = append(classes, nextClass)
			nextClass = ""
		case t.Kind == php.TokPunct && t.Text == "}":
			if len(classes) > 0 {
				classes = classes[:len(classes)-1]
			}
		case member:
		case r.isName(i, "namespace") && i+1 < len(r.toks) && r.toks[i+1].Kind == php.TokName:
			namespace = strings.TrimPrefix(r.toks[i+1].Text, `\`)
		case (r.isName(i, "class") || r.isName(i, "interface") || r.isName(i, "trait") || r.isName(i, "enum")) &&
			i+1 < len(r.toks) && r.toks[i+1].Kind == php.TokName:
			nextClass = r.toks[i+1].Text
		case r.isName(i, "define") && r.isPunct(i+1, "("):
			i = r.define(i+2) - 1
		case r.isName(i, "const"):
			class := ""
			if len(classes) > 0 {
				class = classes[len(classes)-1]
			}
			i = r.constDecl(i+1, namespace, class) - 1
		}
	}
}

// define reads the arguments of define(), starting at i, and returns the
// index after them.
func (r *setupReader) define(i int) int {
	name, i := r.value(i)
	if !r.isPunct(i, ",") {
		return i
	}
	v, i := r.value(i + 1)
	if name.Kind == php.String {
		r.declare(strings.TrimPrefix(name.S, `\`), v)
	}
	return i
}

// constDecl reads "NAME = value, NAME = value;" starting at i and returns
// the index after it.
func (r *setupReader) constDecl(i int, namespace, class string) int {
	for i < len(r.toks) {
		// PHP 8.3 typed class constants: const string NAME = ...
		if i+1 < len(r.toks) && r.toks[i].Kind == php.TokName && r.toks[i+1].Kind == php.TokName {
			i++
		}
		if i >= len(r.toks) || r.toks[i].Kind != php.TokName || !r.isPunct(i+1, "=") {
			return i
		}
		name := r.toks[i].Text
		var v php.Value
		v, i = r.value(i + 2)
		switch {
		case class != "":
			r.declare(class+"::"+name, v)
		case namespace != "":
			r.declare(namespace+`\`+name, v)
			r.declare(name, v) // see constant: references may omit the namespace
		default:
			r.declare(name, v)
		}
		if !r.isPunct(i, ",") {
			return i
		}
		i++
	}
	return i
}

func (r *setupReader) declare(name string, v php.Value) {
	if _, ok := r.env.Consts[name]; !ok && v.Kind != php.Unknown {
		r.env.Consts[name] = v
	}
}

// versionArray finds function fn (case-insensitively, as PHP does) and
// returns the array it returns. found is false when there is no such
// function; the array is php.Value{} when it cannot be read. Only the first
// declaration counts: PHP refuses to declare a function twice.
func (r *setupReader) versionArray(fn string) (v php.Value, found bool) {
	for i := 0; i+1 < len(r.toks); i++ {
		if !r.isName(i, "function") {
			continue
		}
		j := i + 1
		if r.isPunct(j, "&") { // function &name(): returns by reference
			j++
		}
		if !r.isName(j, fn) || strings.HasPrefix(r.toks[j].Text, `\`) || !r.isPunct(j+1, "(") {
			continue
		}
		// Skip the parameters and any return type, up to the body.
		j = r.skipGroup(j + 1)
		for j < len(r.toks) && !r.isPunct(j, "{") && !r.isPunct(j, ";") {
			j++
		}
		if !r.isPunct(j, "{") {
			return php.Value{}, true
		}
		return r.returnedArray(j+1, r.skipGroup(j)-1), true
	}
	return php.Value{}, false
}

// returnedArray returns the array returned by the first return statement
// between start and end (a function body). "return $info;" is followed back
// to the last "$info = [...]" before it.
func (r *setupReader) returnedArray(start, end int) php.Value {
	for i := start; i < end; i++ {
		if !r.isName(i, "return") {
			continue
		}
		if r.toks[i+1].Kind == php.TokVar && r.isPunct(i+2, ";") {
			// "==" is two "=" tokens: a comparison, not an assignment.
			for j := i - 1; j >= start; j-- {
				if r.toks[j].Kind == php.TokVar && r.toks[j].Text == r.toks[i+1].Text && r.isPunct(j+1, "=") && !r.isPunct(j+2, "=") {
					v, _ := r.value(j + 2)
					return v
				}
			}
			return php.Value{}
		}
		v, _ := r.value(i + 1)
		return v
	}
	return php.Value{}
}
