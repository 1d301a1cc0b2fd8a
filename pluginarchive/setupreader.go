package pluginarchive

import (
	"strings"

	"github.com/glpinet/glpinet/internal/php"
)

// This file walks the tokens of setup.php, as internal/php reads them,
// to the expressions setup.php declares a plugin with; internal/php
// evaluates those: literals, constants, concatenation, arrays and GLPI's
// translation helpers.

// setupReader evaluates expressions of setup.php's token stream.
type setupReader struct {
	toks []php.Token
	env  *php.Env
}

// newSetupReader reads src leniently (see php.LexLenient): setup.php is
// only searched for declarations, and what cannot be read is unknown, so
// a file PHP 7.4 and 8 read differently is read as PHP 8 reads it. Where
// PHP refuses the file (a string that never ends...), the declarations
// before that point are read. Opening tags are dropped and closing tags
// end statements, as ";" does.
func newSetupReader(src []byte) *setupReader {
	toks, _ := php.LexLenient(src)
	code := toks[:0]
	for _, t := range toks {
		switch t.Kind {
		case php.TokOpenTag:
			continue
		case php.TokCloseTag:
			t.Kind, t.Text = php.TokPunct, ";"
		}
		code = append(code, t)
	}
	env := php.NewEnv()
	// setup.php's reader does not follow namespaces nor "use": a
	// qualified name is taken for the constant of that last name that
	// setup.php declares.
	env.QualifiedFallback = true
	// An element computed at run time makes only that element unknown.
	env.UnknownElems = true
	env.Call = translate
	return &setupReader{toks: code, env: env}
}

// translators maps GLPI's gettext helpers to the position of the
// untranslated message among their arguments: __('Name', 'domain'),
// _x('context', 'Name', 'domain'), _n('singular', 'plural', n, 'domain')...
var translators = map[string]int{"__": 0, "__s": 0, "_n": 0, "_sn": 0, "_x": 1, "_sx": 1, "_nx": 1}

// translate evaluates a call of one of GLPI's translation helpers as its
// untranslated message; other calls are unknown.
func translate(name string, args []php.Value) php.Value {
	if n, ok := translators[strings.ToLower(name)]; ok && n < len(args) && args[n].Kind == php.String {
		return args[n]
	}
	return php.Value{}
}

// text returns the value of a string or a number (as PHP prints an
// integer, as written for a float), and "" for anything else.
func text(v php.Value) string {
	switch v.Kind {
	case php.String, php.Int, php.Float:
		return v.S
	}
	return ""
}

func (r *setupReader) isPunct(i int, p string) bool {
	return i < len(r.toks) && r.toks[i].Kind == php.TokPunct && r.toks[i].Text == p
}

func (r *setupReader) isName(i int, name string) bool {
	return i < len(r.toks) && r.toks[i].Kind == php.TokName && strings.EqualFold(strings.TrimPrefix(r.toks[i].Text, `\`), name)
}

// skipGroup returns the index after the bracket closing the one at i.
func (r *setupReader) skipGroup(i int) int {
	depth := 0
	for ; i < len(r.toks); i++ {
		if r.toks[i].Kind != php.TokPunct {
			continue
		}
		switch r.toks[i].Text {
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

// value evaluates the expression at i and returns its value and the index
// of the token ending it (",", ";", "=>" or a closing bracket).
func (r *setupReader) value(i int) (php.Value, int) {
	end := i + php.ExprEnd(r.toks[i:])
	return php.Eval(r.toks[i:end], r.env), end
}
