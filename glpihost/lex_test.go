package glpihost

import (
	"strings"
	"testing"
)

// tokenString renders tokens compactly for comparison: kind letter and
// text, strings quoted, dynamic strings marked with "~".
func tokenString(toks []token) string {
	var parts []string
	for _, t := range toks {
		switch t.kind {
		case tokString:
			s := "S" + quoteForTest(t.text)
			if t.dynamic {
				s = "S~"
			}
			parts = append(parts, s)
		case tokName:
			parts = append(parts, "N:"+t.text)
		case tokVar:
			parts = append(parts, "V:"+t.text)
		case tokNumber:
			parts = append(parts, "#"+t.text)
		case tokOpenTag:
			parts = append(parts, "<?")
		case tokCloseTag:
			parts = append(parts, "?>")
		default:
			parts = append(parts, t.text)
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
		{"open tags", "<?php a ?>x<?= b ?><? c", "<? N:a ?> <? N:b ?> <? N:c"},
		{"open tag at end of file", "<?php", "<?"},
		{"php glued to a name is a short tag", "<?phpinfo", "<? N:phpinfo"},
		{"single quoted escapes", `<?php 'a\'b\\c\nd'`, `<? S«a'b\c\nd»`},
		{"double quoted escapes", `<?php "a\"b\\c\n\t\$d\x41\101\u{e9}\q"`, "<? S«a\"b\\c\n\t$dAAé\\q»"},
		{"interpolation is dynamic", `<?php "a $b c" "{$x["k"]}" 'z'`, `<? S~ S~ S«z»`},
		{"escaped dollar is not interpolation", `<?php "a\$b"`, `<? S«a$b»`},
		{"semicolons, slashes and quotes in strings", `<?php '; // " # /*' ";'"`, `<? S«; // " # /*» S«;'»`},
		{"line comments", "<?php a // b ; c\n d # e\n f", "<? N:a N:d N:f"},
		{"close tag ends a line comment", "<?php a // b ?> html <?php c", "<? N:a ?> <? N:c"},
		{"block comment", "<?php a /* b ?> c */ d", "<? N:a N:d"},
		{"attribute is not a comment", "<?php #[Attr] a", "<? #[ N:Attr ] N:a"},
		{"qualified names", `<?php \define Safe\define`, `<? N:\define N:Safe\define`},
		{"variables", "<?php $dbhost = 1;", "<? V:dbhost = #1 ;"},
		{"numbers", "<?php 0x1F 0b101 0o17 1_000 1.5e-3 .5 7", "<? #0x1F #0b101 #0o17 #1_000 #1.5e-3 #.5 #7"},
		{"operators", "<?php a->b?->c::d => ... ??", "<? N:a -> N:b ?-> N:c :: N:d => ... ??"},
		{"heredoc", "<?php $a = <<<EOT\nx ' \" ?>\n  EOT;\nb", "<? V:a = S~ ; N:b"},
		{"nowdoc", "<?php <<<'EOT'\n$x\nEOT\n;", "<? S~ ;"},
		{"not a heredoc", "<?php a <<< 1", "<? N:a < < < #1"},
		{"bytes above 0x7f are name characters, as in PHP", "<?php a § b", "<? N:a N:§ N:b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := lex([]byte(tt.src))
			if err != nil {
				t.Fatalf("lex: %v", err)
			}
			if got := tokenString(toks); got != tt.want {
				t.Errorf("lex(%q)\n got: %s\nwant: %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestLexOffsets(t *testing.T) {
	src := "<?php\ndefine( 'A' , \"b\" ); // c\n?>\n"
	toks, err := lex([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, src[tk.start:tk.end])
	}
	want := []string{"<?php", "define", "(", "'A'", ",", `"b"`, ")", ";", "?>"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("token source spans\n got: %q\nwant: %q", got, want)
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"<?php\n\n'abc", "unterminated string starting on line 3."},
		{"<?php \"abc\\\"", "unterminated string starting on line 1."},
		{"<?php\n/* abc", "unterminated comment starting on line 2."},
		{"<?php <<<EOT\nabc\n", "unterminated heredoc starting on line 1."},
		{`<?php "{$a['x}"`, "unterminated string starting on line 1."},
	}
	for _, tt := range tests {
		_, err := lex([]byte(tt.src))
		if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("lex(%q) error = %v, want ...%q", tt.src, err, tt.want)
		}
	}
}
