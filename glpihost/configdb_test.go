package glpihost

import (
	"errors"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// installerConfigDB is config_db.php as GLPI 10's installer writes it.
const installerConfigDB = `<?php
class DB extends DBmysql {
   public $dbhost = 'localhost';
   public $dbuser = 'glpi';
   public $dbpassword = 'p%40ss%3Aw%2Fd';
   public $dbdefault = 'glpi';
   public $use_utf8mb4 = true;
   public $allow_datetime = false;
   public $allow_signed_keys = false;
}
`

func TestParseConfigDB(t *testing.T) {
	base := DBConfig{Host: "localhost", Port: 3306, User: "glpi", Database: "glpi"}
	with := func(f func(*DBConfig)) DBConfig { c := base; f(&c); return c }
	tests := []struct {
		name string
		src  string
		want DBConfig
	}{
		{"installer output, rawurlencoded password", installerConfigDB,
			with(func(c *DBConfig) { c.Password = "p@ss:w/d"; c.UTF8MB4 = true })},
		{"hand-written unencoded password", `<?php class DB extends DBmysql {
public $dbhost = 'localhost'; public $dbuser = 'glpi'; public $dbpassword = 'p@ss:word'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Password = "p@ss:word" })},
		{"invalid escape kept as written", `<?php class DB { public $dbhost='localhost'; public $dbuser='glpi'; public $dbpassword='50%off%'; public $dbdefault='glpi'; }`,
			with(func(c *DBConfig) { c.Password = "50%off%" })},
		{"old var style with tabs and closing tag", "<?php\n class DB extends DBmysql {\n var $dbhost\t= 'localhost';\n var $dbuser \t= 'glpi';\n var $dbpassword= 'secret';\n var $dbdefault\t= 'glpi';\n } \n?>\n",
			with(func(c *DBConfig) { c.Password = "secret" })},
		{"odd spacing, comments and double quotes", `<?php
// generated, then edited by hand
class DB extends DBmysql {
   public   $dbhost     =    "db.example.com:3307" ;   # custom port
   /* the account */ public $dbuser = "glpi" ;
   public $dbpassword = "it's \"quoted\" \$not a var; // not a comment";
   public $dbdefault="glpi_prod";
   public $use_timezones = true;
   public $log_deprecation_warnings = false;
}`,
			DBConfig{Host: "db.example.com", Port: 3307, User: "glpi", Password: `it's "quoted" $not a var; // not a comment`, Database: "glpi_prod", UseTimezones: true}},
		{"single-quote escapes", `<?php class DB { public $dbhost = 'localhost'; public $dbuser = 'o\'brien'; public $dbpassword = 'a\\b\c'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.User = "o'brien"; c.Password = `a\b\c` })},
		{"commented-out properties are ignored", `<?php class DB {
  // public $dbhost = 'old';
  public $dbhost = 'localhost'; public $dbuser = 'glpi'; public $dbdefault = 'glpi';
  /* public $dbpassword = 'old'; */ }`,
			base},
		{"socket after host", `<?php class DB { public $dbhost = 'localhost:/var/run/mysqld/mysqld.sock'; public $dbuser = 'glpi'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Port = 0; c.Socket = "/var/run/mysqld/mysqld.sock" })},
		{"bare socket path", `<?php class DB { public $dbhost = '/tmp/mysql.sock'; public $dbuser = 'glpi'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Port = 0; c.Socket = "/tmp/mysql.sock" })},
		{"ipv6", `<?php class DB { public $dbhost = '[::1]:3310'; public $dbuser = 'glpi'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Host = "::1"; c.Port = 3310 })},
		{"replica array", `<?php class DBSlave extends DBmysql {
   public $dbhost = array (
  0 => 'replica1',
  1 => 'replica2',
);
   public $dbuser = 'glpi'; public $dbpassword = 'pw'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Host = "replica1"; c.Password = "pw" })},
		{"short array", `<?php class DB { public $dbhost = ['r1:3307', 'r2']; public $dbuser = 'glpi'; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.Host = "r1"; c.Port = 3307 })},
		{"integers and truthy flags", `<?php class DB { public $dbhost = 'h'; public $dbuser = 'glpi'; public $dbpassword = 1234; public $dbdefault = 'glpi'; public $use_utf8mb4 = 1; public $use_timezones = '0'; }`,
			with(func(c *DBConfig) { c.Host = "h"; c.Password = "1234"; c.UTF8MB4 = true })},
		{"typed properties and several per line", `<?php class DB { public string $dbhost = 'h', $dbuser = 'u'; public ?string $dbdefault = 'd'; }`,
			DBConfig{Host: "h", Port: 3306, User: "u", Database: "d"}},
		{"empty host is localhost", `<?php class DB { public $dbhost = ''; public $dbuser = ''; public $dbdefault = 'glpi'; }`,
			with(func(c *DBConfig) { c.User = "" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfigDB([]byte(tt.src))
			if err != nil {
				t.Fatalf("ParseConfigDB: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseConfigDB\n got: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigDBErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"missing dbdefault", `<?php class DB { public $dbhost = 'h'; public $dbuser = 'u'; }`,
			"$dbdefault is not declared; expected a line like: public $dbdefault = '...';"},
		{"interpolated string", "<?php class DB {\n public $dbhost = 'h';\n public $dbuser = \"$user\";\n public $dbdefault = 'd'; }",
			"$dbuser on line 3 is not a plain string; glpinet reads the file without running PHP, so write it as '...'."},
		{"function call", "<?php class DB { public $dbhost = 'h'; public $dbuser = 'u'; public $dbpassword = getenv('PW'); public $dbdefault = 'd'; }",
			"$dbpassword on line 1 is not a plain string; glpinet reads the file without running PHP, so write it as '...'."},
		{"bad port", "<?php class DB { public $dbhost = 'h:99999'; public $dbuser = 'u'; public $dbdefault = 'd'; }",
			"$dbhost on line 1: port 99999 is not between 1 and 65535"},
		{"duplicate", "<?php class DB {\n public $dbhost = 'h';\n public $dbhost = 'i'; }",
			"$dbhost is declared twice (lines 2 and 3)."},
		{"empty database", "<?php class DB { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = ''; }",
			"$dbdefault on line 1 is empty: no database is named."},
		{"empty host array", "<?php class DB { public $dbhost = []; public $dbuser = 'u'; public $dbdefault = 'd'; }",
			"$dbhost on line 1 is an empty array of hosts."},
		{"flag not a boolean", "<?php class DB { public $dbhost = 'h'; public $dbuser = 'u'; public $dbdefault = 'd'; public $use_utf8mb4 = FLAG; }",
			"$use_utf8mb4 on line 1 is not a plain boolean; write it as true or false."},
		{"unterminated", "<?php class DB { public $dbhost = 'h;", "line 1: unterminated string."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfigDB([]byte(tt.src))
			var e *glpinet.Error
			if !errors.As(err, &e) || e.Code != glpinet.EINVALID || e.Message != tt.want {
				t.Errorf("error = %v\nwant EINVALID %q", err, tt.want)
			}
		})
	}
}

func TestSplitDBHost(t *testing.T) {
	tests := []struct {
		in     string
		host   string
		port   int
		socket string
		err    string
	}{
		{"localhost", "localhost", 3306, "", ""},
		{"db.example.com:3307", "db.example.com", 3307, "", ""},
		{"127.0.0.1:", "127.0.0.1", 3306, "", ""},
		{":3307", "localhost", 3307, "", ""},
		{"localhost:/var/run/mysqld/mysqld.sock", "localhost", 0, "/var/run/mysqld/mysqld.sock", ""},
		{"localhost:mysql.sock", "localhost", 0, "mysql.sock", ""},
		{"/run/my:sql.sock", "localhost", 0, "/run/my:sql.sock", ""},
		{"localhost:/run/my:sql.sock", "localhost", 0, "/run/my:sql.sock", ""},
		{"[::1]:3306", "::1", 3306, "", ""},
		{"[2001:db8::5]", "2001:db8::5", 3306, "", ""},
		{"[::1]:/tmp/s.sock", "::1", 0, "/tmp/s.sock", ""},
		{"::1", "::1", 3306, "", ""},
		{"fe80::1:3306", "fe80::1:3306", 3306, "", ""},
		{"", "localhost", 3306, "", ""},
		{"h:0", "", 0, "", "port 0 is not between 1 and 65535"},
		{"[::1", "", 0, "", `"[::1" lacks the closing ] of its IPv6 address`},
		{"[::1]x", "", 0, "", `"[::1]x" has "x" after its IPv6 address instead of :port`},
		{"a:b:c", "", 0, "", `"a:b:c" is neither host:port nor an IPv6 address (write [address]:port)`},
	}
	for _, tt := range tests {
		host, port, socket, err := splitDBHost(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if host != tt.host || port != tt.port || socket != tt.socket || gotErr != tt.err {
			t.Errorf("splitDBHost(%q) = %q, %d, %q, %q; want %q, %d, %q, %q",
				tt.in, host, port, socket, gotErr, tt.host, tt.port, tt.socket, tt.err)
		}
	}
}

func TestRawurldecode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"p%40ss%3Aw%2Fd", "p@ss:w/d"},
		{"p@ss:word", "p@ss:word"},
		{"a+b", "a+b"}, // rawurldecode, not urldecode
		{"%", "%"},
		{"100%", "100%"},
		{"%4", "%4"},
		{"%zz%41", "%zzA"}, // as PHP: valid escapes are decoded even next to invalid ones
		{"%e9%E9", "\xe9\xe9"},
		{"%2525", "%25"}, // decoded once
		{"", ""},
	}
	for _, tt := range tests {
		if got := rawurldecode(tt.in); got != tt.want {
			t.Errorf("rawurldecode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseConfigDBIgnoresLookalikes(t *testing.T) {
	// Assignments and strings that look like declarations are not.
	src := `<?php
$dbhost = 'assigned';
echo "public $dbuser = 'no';";
class DB { public $dbhost = 'real'; public $dbuser = 'u'; public $dbdefault = 'd'; }`
	// Top-level code beside the class is refused: PHP runs it, and
	// glpinet does not.
	if got, err := ParseConfigDB([]byte(src)); err == nil {
		t.Errorf("ParseConfigDB = %+v, want a refusal of the statements beside the class", got)
	}
	src = `<?php
// public $dbhost = 'commented';
class DB { public $dbhost = 'real'; public $dbuser = 'u'; /* $dbuser = 'no' */ public $dbpassword = "public \$dbdefault = 'no';"; public $dbdefault = 'd'; }`
	got, err := ParseConfigDB([]byte(src))
	if err != nil || got.Host != "real" || got.User != "u" || got.Database != "d" {
		t.Errorf("ParseConfigDB = %+v, %v", got, err)
	}
	if !strings.Contains(installerConfigDB, "p%40ss%3Aw%2Fd") {
		t.Fatal("fixture lost its encoded password")
	}
}
