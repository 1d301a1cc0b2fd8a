package php

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// eval lexes "<?php "+src and evaluates it in env.
func eval(t *testing.T, src string, env *Env) Value {
	t.Helper()
	toks, err := Lex([]byte("<?php " + src))
	if err != nil {
		t.Fatal(err)
	}
	return Eval(toks[1:], env)
}

func TestEvalFunctions(t *testing.T) {
	env := NewEnv()
	env.File = "/srv/glpi/inc/downstream.php"
	env.Getenv = func(k string) string { return map[string]string{"SET": "/from/env"}[k] }
	str := func(s string) Value { return Value{Kind: String, S: s} }
	tests := []struct {
		src  string
		want Value
	}{
		{`__DIR__`, str("/srv/glpi/inc")},
		{`__FILE__`, str("/srv/glpi/inc/downstream.php")},
		{`dirname(__DIR__) . '/config'`, str("/srv/glpi/config")},
		{`\dirname(__FILE__, 3)`, str("/srv")},
		{`dirname('/a/b/')`, str("/a")},
		{`dirname('a')`, str(".")},
		{`dirname('/a', 5)`, str("/")},
		{`getenv('SET') ?: '/etc/glpi'`, str("/from/env")},
		{`(getenv('UNSET') ?: '/etc/glpi')`, str("/etc/glpi")},
		{`getenv('UNSET')`, Value{Kind: Bool, S: "false"}},
		{`array(0 => 'h1', 1 => 'h2',)`, Value{Kind: Array, Elems: []Elem{{Key: "0", Keyed: true, Val: str("h1")}, {Key: "1", Keyed: true, Val: str("h2")}}, Len: 2}},
		{`['a']`, Value{Kind: Array, Elems: []Elem{{Val: str("a")}}, Len: 1}},
		{`'a' . true . false . null . 2`, str("a12")},
		{`'a' . 1.5`, Value{}},
		{`foo('a')`, Value{}},
		{`'a' 'b'`, Value{}},
		{`-'a'`, Value{}},
		{`- -1`, Value{}},
		{`-0x10 . ''`, str("-16")},
		{`1_000.50`, Value{Kind: Float, S: "1_000.50"}},
		{`A::B`, Value{}},
		{`true ? 'y' : 'n'`, str("y")},
		{"<<<'X'\n  a\n  X", str("a")},
	}
	for _, tt := range tests {
		if got := eval(t, tt.src, env); !cmp.Equal(got, tt.want) {
			t.Errorf("eval(%s): %s", tt.src, cmp.Diff(tt.want, got))
		}
	}
}

func TestEvalArrays(t *testing.T) {
	env := NewEnv()
	v := eval(t, `['name' => 'a', 'req' => ['glpi' => ['min' => '10.0']], 'name' => 'b', 7 => 'x']`, env)
	for key, want := range map[string]string{"name": "b", "7": "x", "missing": ""} {
		if got := v.Get(key); got.S != want {
			t.Errorf("Get(%q) = %+v, want %q", key, got, want)
		}
	}
	if got := v.Get("req").Get("glpi").Get("min"); got.S != "10.0" {
		t.Errorf("nested Get = %+v", got)
	}
	env.FirstElemOnly = true
	first := eval(t, `['a' => 'h1', 'b' => 'h2', 'c' => 'h3']`, env)
	if first.Len != 3 || len(first.Elems) != 1 || first.Elems[0].Val.S != "h1" {
		t.Errorf("FirstElemOnly: %+v", first)
	}
	if got := first.Get("a"); got.Kind != Unknown {
		t.Errorf("Get on an array without all its elements = %+v, want Unknown", got)
	}
}

func TestEvalConstants(t *testing.T) {
	env := NewEnv()
	env.Consts["V"] = Value{Kind: String, S: "1.0"}
	env.Consts["C::V"] = Value{Kind: String, S: "2.0"}
	for src, want := range map[string]string{`V`: "1.0", `\V`: "1.0", `C::V`: "2.0", `\C::V`: "2.0", `NS\V`: "", `NS\C::V`: ""} {
		if got := eval(t, src, env); got.S != want {
			t.Errorf("eval(%s) = %+v, want %q", src, got, want)
		}
	}
	env.QualifiedFallback = true
	for src, want := range map[string]string{`NS\V`: "1.0", `\A\B\C::V`: "2.0"} {
		if got := eval(t, src, env); got.S != want {
			t.Errorf("with QualifiedFallback, eval(%s) = %+v, want %q", src, got, want)
		}
	}
}

func TestEvalCall(t *testing.T) {
	env := NewEnv()
	env.Call = func(name string, args []Value) Value {
		if name == "__" && len(args) > 0 {
			return args[0]
		}
		return Value{}
	}
	if got := eval(t, `\__('Name', 'foo') . '!'`, env); got.S != "Name!" {
		t.Errorf("__() = %+v", got)
	}
	if got := eval(t, `other('x')`, env); got.Kind != Unknown {
		t.Errorf("other() = %+v", got)
	}
	if got := eval(t, `__('x'`, env); got.Kind != Unknown {
		t.Errorf("unclosed call = %+v", got)
	}
}

// TestConcatBounded replays a few lines of local_define.php that double
// a string at every define: before the budget, glpinet built 1 GiB from
// 700 bytes.
func TestConcatBounded(t *testing.T) {
	env := NewEnv()
	env.Consts["A0"] = Value{Kind: String, S: "xxxxxxxx"}
	var last Value
	for i := 1; i < 40; i++ {
		last = eval(t, fmt.Sprintf("A%d . A%d", i-1, i-1), env)
		env.Consts[fmt.Sprintf("A%d", i)] = last
	}
	if last.Kind != Unknown || env.concatenated > concatBudget {
		t.Errorf("doubling built %d bytes (%d in all)", len(last.S), env.concatenated)
	}
	if got := eval(t, "'a' . '"+strings.Repeat("b", maxConcat)+"'", NewEnv()); got.Kind != Unknown {
		t.Errorf("a concatenation over %d bytes was built", maxConcat)
	}
}

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("(", 100000) + "'x'" + strings.Repeat(")", 100000)
	if got := eval(t, deep, NewEnv()); got.Kind != Unknown {
		t.Errorf("deep nesting evaluated to %+v", got)
	}
	if got := eval(t, "((('b')))", NewEnv()); got.S != "b" {
		t.Errorf("shallow nesting evaluated to %+v", got)
	}
}

func TestEvalUnknownElems(t *testing.T) {
	src := `['a' => 'x', 'b' => PHP_VERSION > 7 ? f([1, 2]) : 'c', 'c' => 'y', 'd' => (1 2)]`
	if got := eval(t, src, NewEnv()); got.Kind != Unknown {
		t.Errorf("without UnknownElems: %+v", got)
	}
	env := NewEnv()
	env.UnknownElems = true
	got := eval(t, src, env)
	if got.Len != 4 || got.Get("a").S != "x" || got.Get("b").Kind != Unknown || got.Get("c").S != "y" || got.Get("d").Kind != Unknown {
		t.Errorf("with UnknownElems: %+v", got)
	}
	if got := eval(t, `['a' => 'x' 'y'`, env); got.Kind != Unknown {
		t.Errorf("unclosed array: %+v", got)
	}
	if got := eval(t, `['a' => f(;), 'b' => 'x']`, env); got.Kind != Unknown {
		t.Errorf("array with a statement end inside an element: %+v", got)
	}
}

func TestExprEnd(t *testing.T) {
	for src, want := range map[string]int{
		`a, b`:                1,
		`f(a, [b => c]) => d`: 10,
		`(a)]`:                3,
		`a . b;`:              3,
		`[a`:                  2,
		``:                    0,
	} {
		toks, err := Lex([]byte("<?php " + src))
		if err != nil {
			t.Fatal(err)
		}
		if got := ExprEnd(toks[1:]); got != want {
			t.Errorf("ExprEnd(%s) = %d, want %d", src, got, want)
		}
	}
}
