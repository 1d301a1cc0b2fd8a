package glpihost

import (
	"bytes"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/php"
)

const svc = "GLPI_NETWORK_SERVICES"

func TestSetDefine(t *testing.T) {
	tests := []struct {
		name, src, value string
		want             string
		changed          bool
	}{
		{"empty file", "", "https://a", "<?php\n\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"whitespace-only file", "\n \n", "https://a", "<?php\n\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"open tag only", "<?php\n", "https://a", "<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"open tag without newline", "<?php", "https://a", "<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"append at end", "<?php\ndefine('GLPI_LOG_LVL', 'debug');\n", "https://a",
			"<?php\ndefine('GLPI_LOG_LVL', 'debug');\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"append after a last line without newline", "<?php\ndefine('A', 1);", "https://a",
			"<?php\ndefine('A', 1);\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"append after a trailing line comment", "<?php\n// note", "https://a",
			"<?php\n// note\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"before a closing tag on its own line", "<?php\ndefine('A', 1);\n?>\n", "https://a",
			"<?php\ndefine('A', 1);\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n?>\n", true},
		{"before an indented closing tag", "<?php\ndefine('A', 1);\n  ?>", "https://a",
			"<?php\ndefine('A', 1);\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n  ?>", true},
		{"before an inline closing tag, adding the missing semicolon", "<?php define('A', 1) ?>", "https://a",
			"<?php define('A', 1); \ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n?>", true},
		{"closing tag followed by html", "<?php\ndefine('A', 1);\n?>\n<p>x</p>\n", "https://a",
			"<?php\ndefine('A', 1);\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n?>\n<p>x</p>\n", true},
		{"several php blocks: the last one", "<?php $a = 1; ?>x<?php\n$b = 2;\n", "https://a",
			"<?php $a = 1; ?>x<?php\n$b = 2;\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"after a block", "<?php\nif (x) {\n  $y = 1;\n}", "https://a",
			"<?php\nif (x) {\n  $y = 1;\n}\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"first when the file calls code", "<?php\nfoo();\n", "https://a",
			"<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\nfoo();\n", true},
		{"first when the file may return early", "<?php\nif (x) return;\ndefine('A', 1);\n", "https://a",
			"<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\nif (x) return;\ndefine('A', 1);\n", true},
		{"first, not after __halt_compiler", "<?php\n__halt_compiler();\ndata", "https://a",
			"<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n__halt_compiler();\ndata", true},
		{"after declare", "<?php declare(strict_types=1);\nfoo();\n", "https://a",
			"<?php declare(strict_types=1);\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\nfoo();\n", true},
		{"first, after text", "text\n<?php exit;", "https://a",
			"text\n<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a'); exit;", true},
		{"first, in a block of its own, before <?=", "<?= 1; exit;", "https://a",
			"<?php define('GLPI_NETWORK_SERVICES', 'https://a'); ?>\n<?= 1; exit;", true},
		{"crlf line endings", "<?php\r\ndefine('A', 1);\r\n", "https://a",
			"<?php\r\ndefine('A', 1);\r\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\r\n", true},
		{"html without php", "hello", "https://a",
			"hello\n<?php\n\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"commented-out define is left alone", "<?php\n// define('GLPI_NETWORK_SERVICES', 'https://old');\n", "https://a",
			"<?php\n// define('GLPI_NETWORK_SERVICES', 'https://old');\ndefine('GLPI_NETWORK_SERVICES', 'https://a');\n", true},
		{"replace in place keeping layout", "<?php\n  define( \"GLPI_NETWORK_SERVICES\" ,  \"https://old\" ) ; // old\ndefine('B', 2);\n", "https://new",
			"<?php\n  define( \"GLPI_NETWORK_SERVICES\" ,  'https://new' ) ; // old\ndefine('B', 2);\n", true},
		{"replace an expression", "<?php define('GLPI_NETWORK_SERVICES', getenv('X') ?: 'https://z');", "https://new",
			"<?php define('GLPI_NETWORK_SERVICES', 'https://new');", true},
		{"replace inside defined() or define()", "<?php defined('GLPI_NETWORK_SERVICES') or define('GLPI_NETWORK_SERVICES', 'https://old');", "https://new",
			"<?php defined('GLPI_NETWORK_SERVICES') or define('GLPI_NETWORK_SERVICES', 'https://new');", true},
		{"replace the effective (first) define only", "<?php define('GLPI_NETWORK_SERVICES', 'a'); define('GLPI_NETWORK_SERVICES', 'b');", "c",
			"<?php define('GLPI_NETWORK_SERVICES', 'c'); define('GLPI_NETWORK_SERVICES', 'b');", true},
		{"replace a non-string equal in PHP source", "<?php define('GLPI_NETWORK_SERVICES', true);", "true",
			"<?php define('GLPI_NETWORK_SERVICES', 'true');", true},
		{"keep a third argument", "<?php define('GLPI_NETWORK_SERVICES', 'a', false);", "b",
			"<?php define('GLPI_NETWORK_SERVICES', 'b', false);", true},
		{"escape the value", "<?php\n", `it's a \ test`,
			"<?php\ndefine('GLPI_NETWORK_SERVICES', 'it\\'s a \\\\ test');\n", true},
		{"unchanged, double quotes", "<?php define(\"GLPI_NETWORK_SERVICES\", \"https://a\");", "https://a",
			"<?php define(\"GLPI_NETWORK_SERVICES\", \"https://a\");", false},
		{"unchanged, concatenation", "<?php define('H', 'https://'); define('GLPI_NETWORK_SERVICES', H . 'a');", "https://a",
			"<?php define('H', 'https://'); define('GLPI_NETWORK_SERVICES', H . 'a');", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed, err := SetDefine([]byte(tt.src), svc, tt.value)
			if err != nil {
				t.Fatalf("SetDefine(%q): %v", tt.src, err)
			}
			if string(got) != tt.want || changed != tt.changed {
				t.Errorf("SetDefine(%q)\n got: %q, %v\nwant: %q, %v", tt.src, got, changed, tt.want, tt.changed)
			}
			defs, err := Defines(got)
			if err != nil || defs[svc] != tt.value {
				t.Errorf("Defines(result)[%s] = %q, %v; want %q", svc, defs[svc], err, tt.value)
			}
		})
	}
}

// A realistic hand-maintained local_define.php: comments, other defines,
// CRLF line endings, odd spacing and a closing tag.
const localDefine = "<?php\r\n" +
	"/**\r\n * Local overrides - edited by hand, keep this header.\r\n */\r\n" +
	"define('GLPI_LOG_LVL',   \\Monolog\\Logger::DEBUG);\r\n" +
	"\t// define('GLPI_NETWORK_SERVICES', 'https://commented.example');\r\n" +
	"define(\"GLPI_VAR_DIR\" , '/var/lib/glpi' );  # trailing comment\r\n" +
	"$x = \"define('GLPI_NETWORK_SERVICES', 'in a string');\";\r\n" +
	"?>\r\n"

func TestSetDefinePreservesEveryOtherByte(t *testing.T) {
	src := []byte(localDefine)
	out, changed, _ := SetDefine(src, svc, "https://glpinet.example.com")
	if !changed {
		t.Fatal("SetDefine reported no change")
	}
	// Exactly one contiguous insertion, before the closing tag.
	inserted := "define('GLPI_NETWORK_SERVICES', 'https://glpinet.example.com');\r\n"
	at := bytes.LastIndex(src, []byte("?>"))
	want := string(src[:at]) + inserted + string(src[at:])
	if string(out) != want {
		t.Fatalf("insertion\n got: %q\nwant: %q", out, want)
	}

	// Changing it again replaces only the value literal.
	out2, changed, _ := SetDefine(out, svc, "https://other.example.com")
	if !changed {
		t.Fatal("second SetDefine reported no change")
	}
	oldLit, newLit := "'https://glpinet.example.com'", "'https://other.example.com'"
	i := bytes.Index(out, []byte(oldLit))
	if want := string(out[:i]) + newLit + string(out[i+len(oldLit):]); string(out2) != want {
		t.Fatalf("replacement\n got: %q\nwant: %q", out2, want)
	}

	// Setting the same value again changes nothing and returns src itself.
	out3, changed, _ := SetDefine(out2, svc, "https://other.example.com")
	if changed || !bytes.Equal(out3, out2) {
		t.Errorf("idempotent SetDefine changed the file: %q", out3)
	}

	// Removing it gives back the original file.
	back, changed := RemoveDefine(out2, svc)
	if !changed || string(back) != localDefine {
		t.Errorf("RemoveDefine round trip\n got: %q\nwant: %q", back, localDefine)
	}
}

// TestSetDefineRefuses replays finding 12 of issue 10: a define PHP never
// runs (in a condition, after __halt_compiler, in text PHP may not read as
// code) must not be reported as set.
func TestSetDefineRefuses(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"inside if (false)", "<?php\nif (false) {\n  define('GLPI_NETWORK_SERVICES', 'https://old');\n}\n",
			"line 3: it is defined inside a condition"},
		{"after a top-level return", "<?php\nreturn;\ndefine('GLPI_NETWORK_SERVICES', 'https://old');\n",
			"after the top-level return"},
		{"in a <?xml block", "<?php\ndefine('A', 1);\n?>\n<?xml version=\"1.0\"?>\n", "short_open_tag"},
		{"after a call", "<?php\nfoo();\ndefine('GLPI_NETWORK_SERVICES', 'https://old');\n", "line 2: a call of foo()"},
		{"a comment ended by a carriage return", "<?php\n// note\r define('GLPI_NETWORK_SERVICES', 'https://old'); if (x) { define('GLPI_NETWORK_SERVICES', 'b'); }\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := SetDefine([]byte(tt.src), svc, "https://new")
			if tt.want == "" {
				// Accepted: the result must then certainly hold the value.
				if v, set, err2 := Define(out, svc); err != nil || err2 != nil || !set || v != "https://new" {
					t.Fatalf("SetDefine = %q, %v; Define = %q, %v, %v", out, err, v, set, err2)
				}
				return
			}
			if err == nil || glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SetDefine = %q, %v; want an EINVALID error containing %q", out, err, tt.want)
			}
		})
	}
}

func TestRemoveDefine(t *testing.T) {
	tests := []struct {
		name, src, want string
		changed         bool
	}{
		{"absent", "<?php define('A', 1);\n", "<?php define('A', 1);\n", false},
		{"whole line", "<?php\ndefine('A', 1);\n  define( 'X' , 'x' ) ;  \ndefine('B', 2);\n", "<?php\ndefine('A', 1);\ndefine('B', 2);\n", true},
		{"crlf line", "<?php\r\ndefine('X', 'x');\r\n?>\r\n", "<?php\r\n?>\r\n", true},
		{"shares its line", "<?php define('X', 'x'); define('A', 1);", "<?php  define('A', 1);", true},
		{"keeps a trailing comment", "<?php\ndefine('X', 'x'); // why\n", "<?php\n // why\n", true},
		{"before an inline closing tag", "<?php define('X', 'x') ?>", "<?php  ?>", true},
		{"in an expression", "<?php\ndefined('X') or define('X', 'x');\n", "<?php\ndefined('X') or (true);\n", true},
		{"as the body of an if", "<?php if (!defined('X')) define('X', 'x');", "<?php if (!defined('X')) (true);", true},
		{"in a block", "<?php if (a) {\n    define('X', 'x');\n}\n", "<?php if (a) {\n}\n", true},
		{"every define of the name", "<?php\ndefine('X', 1);\ndefine('X', 2);\n", "<?php\n", true},
		{"commented out is left", "<?php\n// define('X', 1);\n", "<?php\n// define('X', 1);\n", false},
		{"at end of file without semicolon", "<?php\ndefine('X', 1)", "<?php\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := RemoveDefine([]byte(tt.src), "X")
			if string(got) != tt.want || changed != tt.changed {
				t.Errorf("RemoveDefine(%q)\n got: %q, %v\nwant: %q, %v", tt.src, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestPHPQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"https://a.example/x?y=1;z", "'https://a.example/x?y=1;z'"},
		{`a'b`, `'a\'b'`},
		{`a\b`, `'a\\b'`},
		{`\'`, `'\\\''`},
		{"?> <?php", "'?> <?php'"},
	}
	for _, tt := range tests {
		got := phpQuote(tt.in)
		if got != tt.want {
			t.Errorf("phpQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		toks, err := php.Lex([]byte("<?php " + got))
		if err != nil || len(toks) != 2 || toks[1].Text != tt.in {
			t.Errorf("phpQuote(%q) does not read back: %v %v", tt.in, toks, err)
		}
	}
}
