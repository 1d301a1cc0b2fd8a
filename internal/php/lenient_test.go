package php

import (
	"strings"
	"testing"
)

func TestLexLenient(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"short open tag", "x <? a ?>", "<? N:a ?>"},
		{"attribute", "<?php #[A(1)] function f() {}", "<? # [ N:A ( #1 ) ] N:function N:f ( ) { }"},
		{"stray bytes", "<?php a\x01\f b", "<? N:a N:b"},
		{"braced interpolation", `<?php "{$a["x}"]} $b" . 'c'`, `<? S~ . S«c»`},
		{"dollar-brace interpolation", `<?php "${a}" c`, `<? S~ N:c`},
		{"nested interpolation", `<?php "{$a["{$b['}']}"]}" . d`, `<? S~ . N:d`},
		{"braces inside interpolation", `<?php "{$a[f(function () { return '}'; })]}" e`, `<? S~ N:e`},
		{"heredoc interpolation", "<?php <<<A\n{$x['A']}\nA; f", "<? S~ ; N:f"},
		{"same tokens as Lex otherwise", "<?php define('A', \"b\\n\"); ?>x", "<? N:define ( S«A» , S«b\n» ) ; ?>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := LexLenient([]byte(tt.src))
			if err != nil {
				t.Fatalf("LexLenient: %v", err)
			}
			if got := tokenString(toks); got != tt.want {
				t.Errorf("LexLenient(%q)\n got: %s\nwant: %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestLexLenientErrors(t *testing.T) {
	for src, want := range map[string]string{
		"<?php 'a":                "line 1: unterminated string.",
		`<?php "{$a`:              "line 1: unterminated string interpolation.",
		"<?php \"{$a ?> \"}\"":    "line 1: unterminated string interpolation.",
		`<?php "{$a['x]}"`:        "line 1: unterminated string.",
		`<?php "\u{}"`:            `line 1: invalid \u{...} escape in a string (PHP refuses the file).`,
		"<?php " + deepInterp(40): "line 1: string interpolations nested too deeply.",
	} {
		_, err := LexLenient([]byte(src))
		if err == nil || err.Error() == "" || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("LexLenient(%q) error = %v, want ...%q", src, err, want)
		}
	}
}

func deepInterp(n int) string {
	s := "$x"
	for range n {
		s = `"{$a[` + s + `]}"`
	}
	return s
}

func TestTokenLines(t *testing.T) {
	src := "<?php\na\r\nb\rc /* \n */ d\n<<<X\n\n\nX; e 'f\n' g ?>\nh<?php i"
	toks, err := Lex([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []int32
	for _, tk := range toks {
		got = append(got, tk.Line)
		if want := Line(src, int(tk.Start)); int(tk.Line) != want {
			t.Errorf("token %q: line %d, Line() %d", src[tk.Start:tk.End], tk.Line, want)
		}
	}
	want := []int32{1, 2, 3, 4, 5, 6, 9, 9, 9, 10, 10, 11, 11}
	if len(got) != len(want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("lines %v, want %v", got, want)
		}
	}
}
