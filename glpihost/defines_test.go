package glpihost

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

func TestDefines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"single and double quotes", `<?php
define('GLPI_VERSION', '10.0.16');
define("GLPI_NETWORK_SERVICES", "https://glpinet.example.com");`,
			map[string]string{"GLPI_VERSION": "10.0.16", "GLPI_NETWORK_SERVICES": "https://glpinet.example.com"}},
		{"odd spacing and case", "<?php\n  DEFINE (\n\t'A' ,'x' ) ;\\define('B','y');",
			map[string]string{"A": "x", "B": "y"}},
		{"scalars", `<?php define('T', true); define('F', FALSE); define('N', null);
define('I', 3); define('H', 0x1A); define('M', -4); define('O', 010); define('R', 1.50); define('U', 1_000);`,
			map[string]string{"T": "true", "F": "false", "N": "null", "I": "3", "H": "26", "M": "-4", "O": "8", "R": "1.50", "U": "1000"}},
		{"escapes", `<?php define('S', 'it\'s a \\ back\slash'); define('D', "tab\there");`,
			map[string]string{"S": `it's a \ back\slash`, "D": "tab\there"}},
		{"commented out", `<?php
// define('A', 'line');
# define('B', 'hash');
/* define('C', 'block'); */
/** define('D', 'doc') */
define('E', 'real'); // define('E', 'comment')`,
			map[string]string{"E": "real"}},
		{"in strings", `<?php $x = "define('A', 'no')"; echo 'define("B", "no");'; define('C', ';//"');`,
			map[string]string{"C": `;//"`}},
		{"first define wins", `<?php define('A', 'first'); define('A', 'second');`, map[string]string{"A": "first"}},
		{"unknown value still shadows a later define", `<?php define('A', foo()); define('A', 'second');`, map[string]string{}},
		{"concatenation and constants", `<?php
define('GLPI_VAR_DIR', '/var/lib/glpi');
define('GLPI_DOC_DIR', GLPI_VAR_DIR . '/files' . DIRECTORY_SEPARATOR . 1);
define('X', UNKNOWN . '/a');`,
			map[string]string{"GLPI_VAR_DIR": "/var/lib/glpi", "GLPI_DOC_DIR": "/var/lib/glpi/files/1"}},
		{"conditional defines do not count", `<?php
if (!defined('A')) { define('A', 'a'); }
defined('B') or define('B', 'b');
define('A', 'later');`,
			map[string]string{"B": "b"}},
		{"not global define", `<?php
$o->define('A', 'm'); $o?->define('B', 'n'); Foo::define('C', 's');
function define($a, $b) {} new define('D', 1); Safe\define('E', 'x');
define('F');`,
			map[string]string{}},
		{"trailing comma and third argument", `<?php define('A', 'a',); define('B', 'b', true);`,
			map[string]string{"A": "a"}},
		{"dynamic values left out", `<?php
define('V', $x); define('I', "a$b"); define('A', ['x']); define('G', getenv('X') ?: 'd');
define('K', 'k');`,
			map[string]string{"K": "k"}},
		{"ternaries", `<?php define('A', '' ?: 'b'); define('C', 1 ? 'yes' : 'no'); define('D', 0 ? 'yes' : 'no');`,
			map[string]string{"A": "b", "C": "yes", "D": "no"}},
		{"define outside php code is text", `define('A', 1) <?php define('B', 2) ?> define('C', 3)`,
			map[string]string{"B": "2"}},
		{"glpi 11 constants.php", `<?php
use function Safe\define;
define('GLPI_ROOT', dirname(__DIR__, 2));
// Current version of GLPI
define('GLPI_VERSION', '11.0.0-rc1');
define(
    "GLPI_SCHEMA_VERSION",
    GLPI_VERSION . (is_readable($schema_file) ? '@' . sha1_file($schema_file) : '')
);
define("GLPIKEY", "GLPI£i'snarss'ç");`,
			map[string]string{"GLPI_VERSION": "11.0.0-rc1", "GLPIKEY": "GLPI£i'snarss'ç"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Defines([]byte(tt.src))
			if err != nil {
				t.Fatalf("Defines: %v", err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Defines\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestDefinesError(t *testing.T) {
	_, err := Defines([]byte("<?php\ndefine('A', 'unterminated);\n"))
	var e *glpinet.Error
	if !errors.As(err, &e) || e.Code != glpinet.EINVALID || e.Message != "line 2: unterminated string." {
		t.Errorf("error = %#v, want EINVALID unterminated string on line 2", err)
	}
}

func TestDeepNesting(t *testing.T) {
	deep := "<?php define('A', " + strings.Repeat("(", 100000) + "'x'" + strings.Repeat(")", 100000) + "); define('B', ((('b'))));"
	got, err := Defines([]byte(deep))
	if err != nil || got["B"] != "b" || len(got) != 1 {
		t.Errorf("Defines(deep) = %q, %v; want only B", got, err)
	}
}

// TestDefinesConcatBounded replays a 1.5 KB local_define.php whose
// defines double a string on every line: glpinet built 1 GiB from the
// first 27 lines before internal/php bounded concatenation.
func TestDefinesConcatBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("<?php define('A0', 'xxxxxxxx');\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "define('A%d', A%d . A%d);\n", i, i-1, i-1)
	}
	got, err := Defines([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got["A3"]) != 64 || got["A39"] != "" {
		t.Errorf("A3 = %d bytes, A39 = %d bytes; want 64 and left out", len(got["A3"]), len(got["A39"]))
	}
}
