package glpihost

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// writeTree creates files (relative path → content) under a new temporary
// directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const glpi10Define = "<?php\n// Current version of GLPI\ndefine('GLPI_VERSION', '10.0.16');\ndefine(\"GLPI_SCHEMA_VERSION\", '10.0.16@' . sha1_file(GLPI_ROOT . '/install/mysql/glpi-empty.sql'));\n"

func TestOpen(t *testing.T) {
	etc := t.TempDir()
	tests := []struct {
		name        string
		files       map[string]string
		env         map[string]string
		version     string
		versionFile string
		configDir   string // relative to root unless absolute
		from        string // relative to root unless it names no file
	}{
		{"glpi 10 defaults",
			map[string]string{"inc/define.php": glpi10Define, "config/.keep": ""}, nil,
			"10.0.16", "inc/define.php", "config", "GLPI's default"},
		{"glpi 9.5, double quotes and spacing",
			map[string]string{"inc/define.php": "<?php\ndefine( \"GLPI_VERSION\" ,\"9.5.13\" );", "config/.keep": ""}, nil,
			"9.5.13", "inc/define.php", "config", "GLPI's default"},
		{"glpi 11",
			map[string]string{"src/autoload/constants.php": "<?php\nuse function Safe\\define;\ndefine('GLPI_ROOT', dirname(__DIR__, 2));\ndefine('GLPI_VERSION', '11.0.0');\n", "config/.keep": ""}, nil,
			"11.0.0", "src/autoload/constants.php", "config", "GLPI's default"},
		{"glpi 11 wins over a leftover inc/define.php",
			map[string]string{"src/autoload/constants.php": "<?php define('GLPI_VERSION', '11.0.1');", "inc/define.php": glpi10Define, "config/.keep": ""}, nil,
			"11.0.1", "src/autoload/constants.php", "config", "GLPI's default"},
		{"downstream.php",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php\ndefine('GLPI_CONFIG_DIR', '" + etc + "');\nif (file_exists(GLPI_CONFIG_DIR . '/local_define.php')) {\n   require_once GLPI_CONFIG_DIR . '/local_define.php';\n}\n"}, nil,
			"10.0.16", "inc/define.php", etc, "inc/downstream.php"},
		{"downstream.php with getenv fallback",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php\ndefined('GLPI_CONFIG_DIR') or define('GLPI_CONFIG_DIR', (getenv('GLPI_CONFIG_DIR') ?: '" + etc + "'));\n"}, nil,
			"10.0.16", "inc/define.php", etc, "inc/downstream.php"},
		{"downstream.php relative to GLPI_ROOT",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php define('GLPI_CONFIG_DIR', GLPI_ROOT . '/etc');", "etc/.keep": ""}, nil,
			"10.0.16", "inc/define.php", "etc", "inc/downstream.php"},
		{"downstream.php using __DIR__",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php define('GLPI_CONFIG_DIR', dirname(__DIR__) . '/etc');", "etc/.keep": ""}, nil,
			"10.0.16", "inc/define.php", "etc", "inc/downstream.php"},
		{"commented-out downstream define",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php // define('GLPI_CONFIG_DIR', '/nope');", "config/.keep": ""}, nil,
			"10.0.16", "inc/define.php", "config", "GLPI's default"},
		{"root local_define.php is read before downstream.php",
			map[string]string{"inc/define.php": glpi10Define, "config/local_define.php": "<?php define('GLPI_CONFIG_DIR', '" + etc + "');", "inc/downstream.php": "<?php define('GLPI_CONFIG_DIR', '/nope');"}, nil,
			"10.0.16", "inc/define.php", etc, "config/local_define.php"},
		{"environment first",
			map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php define('GLPI_CONFIG_DIR', '/nope');"},
			map[string]string{"GLPI_CONFIG_DIR": etc},
			"10.0.16", "inc/define.php", etc, "environment variable GLPI_CONFIG_DIR"},
		{"relative environment value",
			map[string]string{"inc/define.php": glpi10Define, "conf/.keep": ""},
			map[string]string{"GLPI_CONFIG_DIR": "conf"},
			"10.0.16", "inc/define.php", "conf", "environment variable GLPI_CONFIG_DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			in, err := Open(root, envOf(tt.env))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			abs := func(p string) string {
				if filepath.IsAbs(p) {
					return p
				}
				return filepath.Join(root, p)
			}
			from := tt.from
			if strings.HasSuffix(from, ".php") {
				from = abs(from)
			}
			want := Install{Root: root, ConfigDir: abs(tt.configDir), ConfigDirFrom: from, Version: tt.version, VersionFile: abs(tt.versionFile)}
			if *in != want {
				t.Errorf("Open\n got: %+v\nwant: %+v", *in, want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  string // with {root} for the root
	}{
		{"not glpi", map[string]string{"index.php": "<?php"}, nil,
			"{root} does not look like a GLPI installation: neither {root}/inc/define.php (GLPI 9.x to 10.0.x) nor {root}/src/autoload/constants.php (GLPI 11) exists."},
		{"no version define", map[string]string{"inc/define.php": "<?php // define('GLPI_VERSION', '1');"}, nil,
			"Cannot read the GLPI version: GLPI_VERSION is not declared as a plain string in {root}/inc/define.php."},
		{"broken version file", map[string]string{"inc/define.php": "<?php define('GLPI_VERSION', '10.0.16);"}, nil,
			"{root}/inc/define.php: line 1: unterminated string."},
		{"unevaluable downstream", map[string]string{"inc/define.php": glpi10Define, "inc/downstream.php": "<?php define('GLPI_CONFIG_DIR', $dir);"}, nil,
			"{root}/inc/downstream.php: line 1: GLPI_CONFIG_DIR is set by an expression glpinet cannot evaluate without running PHP; write its value as a plain '...' string. Set the GLPI_CONFIG_DIR environment variable to the configuration directory, or make the define a plain top-level one."},
		{"missing config dir", map[string]string{"inc/define.php": glpi10Define}, nil,
			"The GLPI configuration directory (from GLPI's default) {root}/config does not exist."},
		{"missing env config dir", map[string]string{"inc/define.php": glpi10Define}, map[string]string{"GLPI_CONFIG_DIR": "/nonexistent/glpi"},
			"The GLPI configuration directory (from environment variable GLPI_CONFIG_DIR) /nonexistent/glpi does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			_, err := Open(root, envOf(tt.env))
			want := strings.ReplaceAll(tt.want, "{root}", root)
			var e *glpinet.Error
			if !errors.As(err, &e) || e.Code != glpinet.EINVALID || e.Message != want {
				t.Errorf("error = %v\nwant EINVALID %q", err, want)
			}
		})
	}

	root := writeTree(t, map[string]string{"file": ""})
	for _, r := range []string{"", filepath.Join(root, "missing"), filepath.Join(root, "file")} {
		_, err := Open(r, nil)
		if glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("Open(%q) error = %v, want EINVALID", r, err)
		}
	}
}

func TestInstallPaths(t *testing.T) {
	in := &Install{Root: "/srv/glpi", ConfigDir: "/etc/glpi"}
	tests := []struct{ got, want string }{
		{in.CryptKeyPath(), "/etc/glpi/glpicrypt.key"},
		{in.ConfigDBPath(), "/etc/glpi/config_db.php"},
		{in.ConfigDBSlavePath(), "/etc/glpi/config_db_slave.php"},
		{in.LocalDefinePath(), "/etc/glpi/local_define.php"},
		{in.MarketplaceDir(), "/srv/glpi/marketplace"},
		{in.PluginsDir(), "/srv/glpi/plugins"},
	}
	for _, tt := range tests {
		if tt.got != filepath.FromSlash(tt.want) {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestReadConfigDB(t *testing.T) {
	root := writeTree(t, map[string]string{"inc/define.php": glpi10Define, "config/config_db.php": installerConfigDB})
	in, err := Open(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.ReadConfigDB()
	if err != nil || c.Password != "p@ss:w/d" || c.DSN() != "glpi:p@ss:w/d@tcp(localhost:3306)/glpi?parseTime=true&charset=utf8mb4" {
		t.Errorf("ReadConfigDB = %+v, %v", c, err)
	}

	if err := os.WriteFile(in.ConfigDBPath(), []byte("<?php class DB { public $dbhost = 'h'; }"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = in.ReadConfigDB()
	if want := in.ConfigDBPath() + ": $dbuser is not declared"; err == nil || !strings.Contains(err.Error(), want) || glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Errorf("error = %v, want EINVALID containing %q", err, want)
	}

	os.Remove(in.ConfigDBPath())
	_, err = in.ReadConfigDB()
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "not been installed") {
		t.Errorf("error = %v, want EINVALID not installed", err)
	}
}
