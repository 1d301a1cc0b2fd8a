package glpihost

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestValuesAgainstPHP runs hand-written configuration files with php
// (safe: the test wrote them) and checks that glpinet reads exactly the
// values PHP uses, or refuses. It replays finding 1 of issue 10: a "//"
// comment that PHP ends at "\r" hid the real $dbdefault and
// GLPI_NETWORK_SERVICES from glpinet, which read a decoy instead.
func TestValuesAgainstPHP(t *testing.T) {
	if _, err := exec.LookPath("php"); err != nil {
		t.Skip("php is not installed")
	}
	configDBs := map[string]string{
		"installer":    installerConfigDB,
		"cr attack":    "<?php\nclass DB extends DBmysql {\n public $dbhost = 'h'; public $dbuser = 'u';\n // note\r/* public $dbdefault='a'; // */\n // note\r public $dbdefault='b';\n}\n",
		"cr in hash":   "<?php\nclass DB extends DBmysql {\n public $dbhost = 'h'; public $dbuser = 'u'; # x\r public $dbdefault = 'real';\n}\n",
		"escapes":      "<?php\nclass DB extends DBmysql {\n public $dbhost = \"h\\x3a3307\"; public $dbuser = 'o\\'b'; public $dbpassword = \"p\\u{e9}\\101\\$\"; public $dbdefault = 'd\\n';\n}\n",
		"close tag":    "<?php\nclass DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd' ?>\n<?php } ?>\n",
		"extra code":   "<?php\nclass DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd'; }\n$x = new DB(); $x->dbdefault = 'other';\n",
		"constructor":  "<?php\nclass DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd';\n function __construct() { $this->dbdefault = 'other'; } }\n",
		"conditional":  "<?php\nif (true) { class DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd'; } }\n",
		"halt":         "<?php\nclass DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd'; }\n__halt_compiler();\nclass DB {}",
		"heredoc name": "<?php\nclass DB extends DBmysql { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = <<<'X'\nd\nX; }\n",
	}
	for name, src := range configDBs {
		t.Run("config_db/"+name, func(t *testing.T) {
			php := runPHP(t, src, `class DBmysql {}
ob_start(); include $argv[1]; ob_end_clean();
$db = new DB();
echo json_encode(['dbhost' => $db->dbhost, 'dbuser' => $db->dbuser, 'dbdefault' => $db->dbdefault, 'dbpassword' => $db->dbpassword ?? ''], JSON_INVALID_UTF8_SUBSTITUTE);`)
			got, err := ParseConfigDB([]byte(src))
			if err != nil && mustRead[name] {
				t.Fatalf("refused a file glpinet must read: %v", err)
			} else if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			h, port, sock, _ := splitDBHost(php["dbhost"])
			if h != got.Host || port != got.Port || sock != got.Socket {
				t.Errorf("dbhost: glpinet %+v, PHP %q", got, php["dbhost"])
			}
			if got.User != php["dbuser"] || got.Database != php["dbdefault"] || got.Password != rawurldecode(php["dbpassword"]) {
				t.Errorf("glpinet read %+v, PHP uses %q", got, php)
			}
		})
	}

	localDefines := map[string]string{
		"plain":        "<?php\ndefine('GLPI_NETWORK_SERVICES', 'https://a.example');\n",
		"cr attack":    "<?php\n// note\r/* define('GLPI_NETWORK_SERVICES', 'https://decoy.example'); // */\n// note\r define('GLPI_NETWORK_SERVICES', 'https://real.example');\n",
		"hash cr":      "<?php # note\rdefine('GLPI_NETWORK_SERVICES', 'https://real.example');",
		"if false":     "<?php\nif (false) { define('GLPI_NETWORK_SERVICES', 'https://never.example'); }\n",
		"after return": "<?php\nreturn;\ndefine('GLPI_NETWORK_SERVICES', 'https://never.example');\n",
		"after halt":   "<?php\n__halt_compiler();\ndefine('GLPI_NETWORK_SERVICES', 'https://never.example');\n",
		"const first":  "<?php\nconst GLPI_NETWORK_SERVICES = 'https://const.example';\ndefine('GLPI_NETWORK_SERVICES', 'https://define.example');\n",
		"via call":     "<?php\ncall_user_func('define', 'GLPI_NETWORK_SERVICES', 'https://hidden.example');\ndefine('GLPI_NETWORK_SERVICES', 'https://shown.example');\n",
		"or idiom":     "<?php\ndefined('GLPI_NETWORK_SERVICES') or define('GLPI_NETWORK_SERVICES', 'https://or.example');\n",
		"text block":   "<?php define('A', 1); ?>\n<p>define('GLPI_NETWORK_SERVICES', 'https://text.example');</p>\n",
		"concat":       "<?php\ndefine('H', 'https://');\ndefine('GLPI_NETWORK_SERVICES', H . 'c.example' . \"\\x2f\");\n",
		"case":         "<?php\nDEFINE('GLPI_NETWORK_SERVICES', 'https://upper.example');\n",
	}
	for name, src := range localDefines {
		t.Run("local_define/"+name, func(t *testing.T) {
			php := runPHP(t, src, `ob_start(); include $argv[1]; ob_end_clean();
echo json_encode(['v' => defined('GLPI_NETWORK_SERVICES') ? GLPI_NETWORK_SERVICES : null]);`)
			v, set, err := Define([]byte(src), "GLPI_NETWORK_SERVICES")
			if err != nil && mustRead[name] {
				t.Fatalf("refused a file glpinet must read: %v", err)
			} else if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			pv, pset := php["v"], php["v"] != ""
			if set != pset || v != pv {
				t.Errorf("glpinet reads %q (set %v), PHP uses %q (set %v)", v, set, pv, pset)
			}
		})
	}
}

// mustRead are the corpus files glpinet must read rather than refuse.
var mustRead = map[string]bool{
	"installer": true, "cr attack": true, "cr in hash": true, "escapes": true,
	"plain": true, "hash cr": true, "concat": true, "case": true, "text block": true,
	"or idiom": true, "after halt": true, "const first": true,
}

// runPHP writes src to a file and runs script with its path as $argv[1],
// decoding the JSON object it prints.
func runPHP(t *testing.T, src, script string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.php")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("php", "-d", "short_open_tag=0", "-d", "display_errors=stderr", "-r", script, path).Output()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("php printed %q: %v", out, err)
	}
	m := map[string]string{}
	for k, v := range raw {
		if v != nil {
			m[k] = toStr(v)
		}
	}
	return m
}

func toStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.Itoa(int(v))
	}
	return ""
}
