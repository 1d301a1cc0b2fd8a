package php

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Differential testing of the tokenizer against PHP's own (finding 1 of
// issue 10): for every input glpinet accepts and PHP parses, both must see
// the same significant tokens, string literals decoded to the same bytes.
// PHP answers through token_get_all(), which does not run the code, in one
// long-lived process (testdata/tokens.php) so that a fuzz run is not
// dominated by starting PHP.

// phpTokenizer is the long-lived PHP process.
type phpTokenizer struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

var (
	phpTokOnce sync.Once
	phpTok     *phpTokenizer
	phpTokErr  error
)

// requirePHP returns the PHP tokenizer, skipping the test without php.
func requirePHP(t testing.TB) *phpTokenizer {
	t.Helper()
	if _, err := exec.LookPath("php"); err != nil {
		t.Skip("php is not installed")
	}
	phpTokOnce.Do(func() {
		cmd := exec.Command("php", "-d", "short_open_tag=0", "-d", "error_reporting=0", "testdata/tokens.php")
		in, err := cmd.StdinPipe()
		if err != nil {
			phpTokErr = err
			return
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			phpTokErr = err
			return
		}
		cmd.Stderr = os.Stderr
		if phpTokErr = cmd.Start(); phpTokErr == nil {
			phpTok = &phpTokenizer{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
		}
	})
	if phpTokErr != nil {
		t.Fatalf("start php: %v", phpTokErr)
	}
	return phpTok
}

// tokens returns PHP's projection of src, or ok false when PHP refuses it.
func (p *phpTokenizer) tokens(src []byte) (toks []string, ok bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := fmt.Fprintf(p.in, "%d\n", len(src)); err != nil {
		return nil, false, err
	}
	if _, err := p.in.Write(src); err != nil {
		return nil, false, err
	}
	line, err := p.out.ReadString('\n')
	if err != nil {
		return nil, false, fmt.Errorf("read php's answer: %w", err)
	}
	line = strings.TrimSuffix(line, "\n")
	if line == "ERR" {
		return nil, false, nil
	}
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return nil, false, fmt.Errorf("php's answer %q: %w", line, err)
	}
	if len(b) == 0 {
		return []string{}, true, nil
	}
	return strings.Split(string(b), "\n"), true, nil
}

// projectTokens renders glpinet's tokens as tokens.php renders PHP's.
func projectTokens(toks []Token) []string {
	out := []string{}
	for _, t := range toks {
		switch t.Kind {
		case TokOpenTag:
			if t.Text == "<?=" {
				out = append(out, "OPEN=")
			} else {
				out = append(out, "OPEN")
			}
		case TokCloseTag:
			out = append(out, "CLOSE")
		case TokName:
			out = append(out, "N:"+t.Text)
		case TokVar:
			out = append(out, "V:"+t.Text)
		case TokNumber:
			out = append(out, "#"+t.Text)
		case TokString:
			if t.Dynamic {
				out = append(out, "S~")
			} else {
				out = append(out, "S:"+base64.StdEncoding.EncodeToString([]byte(t.Text)))
			}
		default:
			for i := 0; i < len(t.Text); i++ {
				out = append(out, "P:"+t.Text[i:i+1])
			}
		}
	}
	return out
}

// compareWithPHP fails t when glpinet accepts src and PHP parses it, yet
// they disagree on its tokens.
func compareWithPHP(t *testing.T, p *phpTokenizer, src []byte) {
	t.Helper()
	toks, err := Lex(src)
	if err != nil {
		return // glpinet refuses: it guesses nothing
	}
	want, ok, err := p.tokens(src)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return // PHP refuses: GLPI could not run with this file
	}
	got := projectTokens(toks)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("glpinet and PHP read %q differently\nglpinet: %s\n    php: %s", src, strings.Join(got, " "), strings.Join(want, " "))
	}
}

// diffSeeds are the tricky cases of PHP's scanner, and real GLPI files.
var diffSeeds = []string{
	"<?php\n// note\r/* $dbdefault='a'; // */\n// note\r $dbdefault='b';\n",
	"<?php\n// note\r define('GLPI_NETWORK_SERVICES', 'https://real'); # x\r\n$a = 1; # ?> text <?php $b = 2;",
	"<?php # comment ?>\ntext\n<?php $x = 1 ?>\r\n<?= $y ?>",
	"<?php\n$a = 'x\\'y\\\\z\\n'; $b = \"\\t\\v\\e\\f\\$\\\"\\101\\x41\\x4g\\u{41}\\u{0000041}\\u{D800}\\u0041\\q\\400\";",
	"<?php $a = b'bin' . B\"BIN\" . \"$x[1] $y->z {\" . `ls $x`;",
	"<?php $h = <<<EOT\n  a $b\n  EOT;\n$n = <<<'N'\n{$x}\nN;\n$e = <<<E\nE;\n$r = <<<R\rx\rR;",
	"<?php $h = <<<X\r\n    a\\t\\\"b\\x41\r\n\r\n  \r\n     c\\u{e9}\\$d\r\n    X . b<<<\"Y\"\n\t\tq'\n\t\tY . <<<'Z'\n  \\n\\\\\n  Z;",
	"<?php $n = [0x1F, 0X1f, 0b101, 0o17, 017, 1_000, 1.5e-3, .5, 1., 1.e3, 1E+5, 9223372036854775808, 1...2];",
	"<?php $c = (int) $a . ( string )$b . (bool)$c; $d = $a?->b ?? $c::D; fn($x) => $x;",
	"<?php namespace\\foo(); \\define('A', 1); Safe\\define('B', 2); DEFINE('C', 3);",
	"<?php define('A', 1); __halt_compiler(); <?php define('B', 2);",
	"<?php $x->__halt_compiler; define('A', 1);",
	"<?php\nif (false) { define('A', 1); } elseif (true): else: endif;",
	"<?php",
	"<?php\r\n$a=1;",
	"text only <b>",
	"<?php /* ?> */ $a = '?>'; // ?>\n",
	"<?php $a = \"\\\\\" . '\\\\' . \"\\\"\" . '\\'';",
	"<?php\n\nuse function Safe\\define;\nuse function Safe\\preg_replace;\n\ndefine('GLPI_ROOT', dirname(__DIR__, 2));\n\n// Current version of GLPI\ndefine('GLPI_VERSION', '11.0.0-rc1');\n\n$schema_file = sprintf('%s/install/mysql/glpi-empty.sql', GLPI_ROOT);\ndefine(\n    \"GLPI_SCHEMA_VERSION\",\n    GLPI_VERSION . (is_readable($schema_file) ? '@' . sha1_file($schema_file) : '')\n);\ndefine('NS_GLPI', 'Glpi\\\\');\ndefine(\"GLPIKEY\", \"GLPI£i'snarss'ç\");\n",
	"<?php\n/**\n * GLPI\n */\n\n// Current version of GLPI\ndefine('GLPI_VERSION', '10.0.16');\nif (substr(GLPI_VERSION, -4) === '-dev') {\n   //for dev version\n   define('GLPI_PREVER', str_replace('-dev', '', GLPI_VERSION));\n} else {\n   define(\"GLPI_SCHEMA_VERSION\", '10.0.16');\n}\n$CFG_GLPI['languages'] = [\n   'ar_SA'  => ['العَرَبِيَّةُ', 'ar_SA.mo', 'ar', 'ar', 'arabic', 103],\n];\n",
	"<?php\ndefine('GLPI_CONFIG_DIR', '/etc/glpi/');\nif (file_exists(GLPI_CONFIG_DIR . '/local_define.php')) {\n    require_once GLPI_CONFIG_DIR . '/local_define.php';\n}\n",
}

// seedFiles returns diffSeeds and the real files of testdata/seeds:
// GLPI's config_db.php and local_define.php, a plugin's setup.php.
func seedFiles(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, s := range diffSeeds {
		out = append(out, []byte(s))
	}
	files, err := filepath.Glob("testdata/seeds/*.php")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed files (%v)", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestLexAgainstPHP(t *testing.T) {
	p := requirePHP(t)
	for _, s := range seedFiles(t) {
		compareWithPHP(t, p, s)
	}
}

func FuzzLexAgainstPHP(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkLenient(t, src)
		if len(src) > 4096 {
			return // PHP's work grows with size; bugs show on small inputs
		}
		compareWithPHP(t, requirePHP(t), src)
	})
}

// checkLenient fails t unless the tokens of Lex and LexLenient, even
// with an error, are in order within src, with their lines, and
// LexLenient's are the same as Lex's wherever Lex accepts src: leniency
// only ever reads what Lex refuses.
func checkLenient(t *testing.T, src []byte) {
	t.Helper()
	toks, _ := LexLenient(src)
	checkPlaces(t, src, toks)
	strict, err := Lex(src)
	checkPlaces(t, src, strict)
	if err == nil && tokenString(strict) != tokenString(toks) {
		t.Fatalf("Lex and LexLenient read %q differently\n   Lex: %s\nLenient: %s", src, tokenString(strict), tokenString(toks))
	}
}

// TestPHPTokenizerProtocol checks the harness itself: PHP refuses what it
// must, and answers inputs of any bytes in order.
func TestPHPTokenizerProtocol(t *testing.T) {
	p := requirePHP(t)
	if _, ok, err := p.tokens([]byte("<?php 'unterminated")); err != nil || ok {
		t.Fatalf("php accepted an unterminated string (%v)", err)
	}
	for i, s := range []string{"<?php $a" + strconv.Itoa(7) + " = '\x00\n\xff';", "", "x\ny"} {
		toks, ok, err := p.tokens([]byte(s))
		if err != nil || !ok {
			t.Fatalf("input %d: %v, %v", i, ok, err)
		}
		if i == 0 && (len(toks) != 5 || toks[3] != "S:"+base64.StdEncoding.EncodeToString([]byte("\x00\n\xff"))) {
			t.Fatalf("input %d: %q", i, toks)
		}
	}
}

// checkPlaces fails t unless toks follow each other within src without
// overlapping, each with the line of its start.
func checkPlaces(t *testing.T, src []byte, toks []Token) {
	t.Helper()
	prevEnd := 0
	for _, tk := range toks {
		if int(tk.Start) < prevEnd || tk.End <= tk.Start || int(tk.End) > len(src) || int(tk.Line) != Line(string(src), int(tk.Start)) {
			t.Fatalf("token %+v overlaps or leaves the source (previous end %d, len %d)", tk, prevEnd, len(src))
		}
		prevEnd = int(tk.End)
	}
}
