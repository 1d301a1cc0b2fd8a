package php

import (
	"strings"
	"testing"
)

// tokenString renders tokens compactly for comparison: kind letter and
// text, strings quoted, dynamic strings marked with "~".
func tokenString(toks []Token) string {
	var parts []string
	for _, t := range toks {
		switch t.Kind {
		case TokString:
			s := "S" + quoteForTest(t.Text)
			if t.Dynamic {
				s = "S~"
			}
			parts = append(parts, s)
		case TokName:
			parts = append(parts, "N:"+t.Text)
		case TokVar:
			parts = append(parts, "V:"+t.Text)
		case TokNumber:
			parts = append(parts, "#"+t.Text)
		case TokOpenTag:
			parts = append(parts, "<?")
		case TokCloseTag:
			parts = append(parts, "?>")
		default:
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, " ")
}

func quoteForTest(s string) string { return "«" + s + "»" }

func TestLex(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"html only", "hello <b>", ""},
		{"open tags", "<?php a ?>x<?= b ?>", "<? N:a ?> <? N:b ?>"},
		{"open tag in any case", "<?PhP\ta", "<? N:a"},
		{"open tag at end of file", "<?php", "<?"},
		{"single quoted escapes", `<?php 'a\'b\\c\nd'`, `<? S«a'b\c\nd»`},
		{"double quoted escapes", `<?php "a\"b\\c\n\t\$d\x41\101\u{e9}\q"`, "<? S«a\"b\\c\n\t$dAAé\\q»"},
		{"interpolation is dynamic", `<?php "a $b c" "$x[k]" 'z'`, `<? S~ S~ S«z»`},
		{"binary string prefix", `<?php b'a' B"b"`, `<? S«a» S«b»`},
		{"line comments end at carriage returns", "<?php a // b\r c # d\r\n e", "<? N:a N:c N:e"},
		{"halt compiler", "<?php a; __HALT_COMPILER(); b; <?php c", "<? N:a ; N:__HALT_COMPILER ( ) ;"},
		{"halt compiler as a property", "<?php $a -> __halt_compiler; b", "<? V:a -> N:__halt_compiler ; N:b"},
		{"surrogate escape", `<?php "\u{D800}"`, "<? S«\xed\xa0\x80»"},
		{"heredoc after carriage return", "<?php <<<A\rx\rA; b", "<? S«x» ; N:b"},
		{"indented heredoc", "<?php <<<A\r\n  x\r\n\r\n   y\\t\\\"\r\n  A; b", "<? S«x\r\n\r\n y\t\\\"» ; N:b"},
		{"empty heredoc", "<?php <<<A\nA;", "<? S«» ;"},
		{"heredoc interpolation is dynamic", "<?php <<<A\n$x \\$y\nA;", "<? S~ ;"},
		{"floats as PHP splits them", "<?php 1...2 1.e3 1_", "<? #1. . #.2 #1.e3 #1 N:_"},
		{"escaped dollar is not interpolation", `<?php "a\$b"`, `<? S«a$b»`},
		{"semicolons, slashes and quotes in strings", `<?php '; // " # /*' ";'"`, `<? S«; // " # /*» S«;'»`},
		{"line comments", "<?php a // b ; c\n d # e\n f", "<? N:a N:d N:f"},
		{"close tag ends a line comment", "<?php a // b ?> html <?php c", "<? N:a ?> <? N:c"},
		{"block comment", "<?php a /* b ?> c */ d", "<? N:a N:d"},
		{"qualified names", `<?php \define Safe\define`, `<? N:\define N:Safe\define`},
		{"variables", "<?php $dbhost = 1;", "<? V:dbhost = #1 ;"},
		{"numbers", "<?php 0x1F 0b101 0o17 1_000 1.5e-3 .5 7", "<? #0x1F #0b101 #0o17 #1_000 #1.5e-3 #.5 #7"},
		{"operators", "<?php a->b?->c::d => ... ??", "<? N:a -> N:b ?-> N:c :: N:d => ... ??"},
		{"heredoc", "<?php $a = <<<EOT\n  x ' \" ?>\n  EOT;\nb", "<? V:a = S«x ' \" ?>» ; N:b"},
		{"nowdoc", "<?php <<<'EOT'\n$x\\n\nEOT\n;", "<? S«$x\\n» ;"},
		{"not a heredoc", "<?php a <<< 1", "<? N:a < < < #1"},
		{"bytes above 0x7f are name characters, as in PHP", "<?php a § b", "<? N:a N:§ N:b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Lex([]byte(tt.src))
			if err != nil {
				t.Fatalf("lex: %v", err)
			}
			if got := tokenString(toks); got != tt.want {
				t.Errorf("Lex(%q)\n got: %s\nwant: %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestLexOffsets(t *testing.T) {
	src := "<?php\ndefine( 'A' , \"b\" ); // c\n?>\n"
	toks, err := Lex([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, src[tk.Start:tk.End])
	}
	want := []string{"<?php", "define", "(", "'A'", ",", `"b"`, ")", ";", "?>\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("token source spans\n got: %q\nwant: %q", got, want)
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"<?php\n\n'abc", "line 3: unterminated string."},
		{"<?php \"abc\\\"", "line 1: unterminated string."},
		{"<?php\n/* abc", "line 2: unterminated comment."},
		{"<?php <<<EOT\nabc\n", "line 1: unterminated heredoc."},
		{"<?php\r\r'abc", "line 3: unterminated string."},
		{`<?php "{$a['x}"`, `line 1: "{$" and "${" in a string hold PHP code that glpinet does not read; use '...' strings and "." instead.`},
		{"<?php\r\n<<<A\r\n\r\n${x}\r\nA;", `line 4: "{$" and "${" in a string hold PHP code that glpinet does not read; use '...' strings and "." instead.`},
		{"<?php\n<<<A\n${x}\nA;", `line 3: "{$" and "${" in a string hold PHP code that glpinet does not read; use '...' strings and "." instead.`},
		{"x <? a", `line 1: "<?" is PHP code only when PHP's short_open_tag setting is on, which glpinet cannot know; write "<?php " (followed by a space or a line break) or remove it.`},
		{"<?phpinfo", `line 1: "<?" is PHP code only when PHP's short_open_tag setting is on, which glpinet cannot know; write "<?php " (followed by a space or a line break) or remove it.`},
		{"<?php\f", `line 1: "<?" is PHP code only when PHP's short_open_tag setting is on, which glpinet cannot know; write "<?php " (followed by a space or a line break) or remove it.`},
		{"<?php #[A]", `line 1: "#[" starts an attribute on PHP 8 but a comment on PHP 7.4; glpinet cannot know which PHP runs GLPI. Put a space after "#" if it is a comment.`},
		{"<?php a\x01", "line 1: unexpected byte 0x01 in PHP code (PHP 7.4 ignores it, PHP 8 refuses the file)."},
		{`<?php "\u{}"`, `line 1: invalid \u{...} escape in a string (PHP refuses the file).`},
		{`<?php "\u{110000}"`, `line 1: \u{...} escape beyond U+10FFFF in a string (PHP refuses the file).`},
		{"<?php __halt_compiler;", `line 1: __halt_compiler must be followed by "();".`},
		{"<?php <<<A\rx\r A;", "line 1: heredoc body indented less than its closing identifier, or with tabs and spaces mixed (PHP refuses the file)."},
		{"<?php <<<A\n\t x\n\t A;", "line 1: heredoc body indented less than its closing identifier, or with tabs and spaces mixed (PHP refuses the file)."},
	}
	for _, tt := range tests {
		_, err := Lex([]byte(tt.src))
		if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("Lex(%q) error = %v, want ...%q", tt.src, err, tt.want)
		}
	}
}

// BenchmarkLexWorstCase reports the memory of one read of the densest
// input at the size limit of a configuration file (256 KiB, one token per
// byte), per input byte.
func BenchmarkLexWorstCase(b *testing.B) {
	src := []byte("<?php " + strings.Repeat(";", 256<<10-6))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lex(src); err != nil {
			b.Fatal(err)
		}
	}
}
