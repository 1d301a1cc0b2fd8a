package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
)

// Install is a GLPI installation on this host, located by [Open].
type Install struct {
	// Root is the absolute path of the GLPI root directory.
	Root string
	// ConfigDir is the absolute path of GLPI_CONFIG_DIR, which holds
	// config_db.php and glpicrypt.key.
	ConfigDir string
	// ConfigDirFrom says where ConfigDir comes from, for messages: the
	// environment variable, a file's define(), or GLPI's default.
	ConfigDirFrom string
	// Version is GLPI_VERSION as the installation declares it, such as
	// "10.0.16" or "11.0.0-rc1".
	Version string
	// VersionFile is the file Version was read from.
	VersionFile string
}

// versionFiles are where GLPI declares GLPI_VERSION, newest layout first
// so that leftovers of an older version extracted underneath do not win.
var versionFiles = []string{
	"src/autoload/constants.php", // GLPI 11
	"inc/define.php",             // GLPI 9.x to 10.0.x
}

// Open locates the GLPI installation whose root directory is root. env
// looks up environment variables (os.Getenv, or a map's lookup in tests;
// nil means none are set).
//
// The configuration directory is resolved as GLPI resolves
// GLPI_CONFIG_DIR: the GLPI_CONFIG_DIR environment variable first, then a
// define() in <root>/config/local_define.php (which GLPI always loads
// first, whatever GLPI_CONFIG_DIR is), then one in inc/downstream.php
// (where distributions packaging GLPI set it, often to /etc/glpi), and
// <root>/config by default. A relative value is taken relative to root.
//
// The error is EINVALID when root is not a GLPI installation, when its
// version cannot be read, when GLPI_CONFIG_DIR is defined by an
// expression glpinet cannot evaluate without PHP, or when the
// configuration directory does not exist.
func Open(root string, env func(string) string) (*Install, error) {
	if root == "" {
		return nil, glpinet.Errorf(glpinet.EINVALID, "No GLPI root directory given.")
	}
	if env == nil {
		env = func(string) string { return "" }
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", root, err)
	}
	if err := checkDir(abs, "GLPI root directory"); err != nil {
		return nil, err
	}
	in := &Install{Root: abs}
	if in.Version, in.VersionFile, err = readVersion(abs); err != nil {
		return nil, err
	}
	if in.ConfigDir, in.ConfigDirFrom, err = resolveConfigDir(abs, env); err != nil {
		return nil, err
	}
	if err := checkDir(in.ConfigDir, "GLPI configuration directory (from "+in.ConfigDirFrom+")"); err != nil {
		return nil, err
	}
	return in, nil
}

// CryptKeyPath is the path of glpicrypt.key, the key GLPI encrypts stored
// secrets with.
func (in *Install) CryptKeyPath() string { return filepath.Join(in.ConfigDir, "glpicrypt.key") }

// ConfigDBPath is the path of config_db.php, the main database connection.
func (in *Install) ConfigDBPath() string { return filepath.Join(in.ConfigDir, "config_db.php") }

// ConfigDBSlavePath is the path of config_db_slave.php, the optional
// read-only replica connection.
func (in *Install) ConfigDBSlavePath() string {
	return filepath.Join(in.ConfigDir, "config_db_slave.php")
}

// LocalDefinePath is the path of local_define.php in the configuration
// directory, where administrators override GLPI's constants.
func (in *Install) LocalDefinePath() string { return filepath.Join(in.ConfigDir, "local_define.php") }

// MarketplaceDir is the directory GLPI's marketplace installs plugins into.
func (in *Install) MarketplaceDir() string { return filepath.Join(in.Root, "marketplace") }

// PluginsDir is the directory of manually installed plugins.
func (in *Install) PluginsDir() string { return filepath.Join(in.Root, "plugins") }

// ReadConfigDB reads and parses config_db.php. Its errors name the file.
func (in *Install) ReadConfigDB() (DBConfig, error) {
	path := in.ConfigDBPath()
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "%s does not exist: GLPI has not been installed yet (run its installer first).", path)
	} else if err != nil {
		return DBConfig{}, fmt.Errorf("read %s: %w", path, err)
	}
	c, err := ParseConfigDB(src)
	if err != nil {
		return DBConfig{}, inFile(path, err)
	}
	return c, nil
}

// readVersion returns GLPI_VERSION and the file declaring it.
func readVersion(root string) (version, file string, err error) {
	var seen []string
	for _, rel := range versionFiles {
		path := filepath.Join(root, filepath.FromSlash(rel))
		calls, err := readDefineFile(path, newEvalEnv())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		seen = append(seen, path)
		for _, d := range calls {
			if d.effective && d.name == "GLPI_VERSION" && d.val.kind == valString && d.val.s != "" {
				return d.val.s, path, nil
			}
		}
	}
	if len(seen) == 0 {
		return "", "", glpinet.Errorf(glpinet.EINVALID,
			"%s does not look like a GLPI installation: neither %s (GLPI 9.x to 10.0.x) nor %s (GLPI 11) exists.",
			root, filepath.Join(root, "inc", "define.php"), filepath.Join(root, "src", "autoload", "constants.php"))
	}
	return "", "", glpinet.Errorf(glpinet.EINVALID,
		"Cannot read the GLPI version: GLPI_VERSION is not declared as a plain string in %s.", strings.Join(seen, " nor in "))
}

// resolveConfigDir returns GLPI_CONFIG_DIR and where it comes from. Both
// files are read with one environment, as PHP runs them one after the
// other: downstream.php may use constants local_define.php defined.
func resolveConfigDir(root string, env func(string) string) (dir, from string, err error) {
	if v := env("GLPI_CONFIG_DIR"); v != "" {
		return absUnder(root, v), "environment variable GLPI_CONFIG_DIR", nil
	}
	ev := newEvalEnv()
	ev.getenv = env
	ev.consts["GLPI_ROOT"] = value{kind: valString, s: root}
	for _, rel := range []string{"config/local_define.php", "inc/downstream.php"} {
		path := filepath.Join(root, filepath.FromSlash(rel))
		calls, err := readDefineFile(path, ev)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		for _, d := range calls {
			if !d.effective || d.name != "GLPI_CONFIG_DIR" {
				continue
			}
			if d.val.kind != valString || d.val.s == "" {
				return "", "", glpinet.Errorf(glpinet.EINVALID,
					"%s defines GLPI_CONFIG_DIR with an expression glpinet cannot evaluate without running PHP; set the GLPI_CONFIG_DIR environment variable to the configuration directory instead.", path)
			}
			return absUnder(root, d.val.s), path, nil
		}
	}
	return filepath.Join(root, "config"), "GLPI's default", nil
}

// readDefineFile lists the define() calls of the PHP file at path,
// evaluated in ev. Errors about the content name the file.
func readDefineFile(path string, ev *evalEnv) ([]defineCall, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, inFile(path, err)
	}
	ev.file = path
	return findDefines(toks, ev), nil
}

// absUnder makes p absolute, relative to root: PHP would resolve it
// against its working directory, which for GLPI's front controllers is
// inside the root.
func absUnder(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

// checkDir reports an EINVALID error when path is not a directory.
func checkDir(path, what string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return glpinet.Errorf(glpinet.EINVALID, "The %s %s does not exist.", what, path)
	case err != nil:
		return fmt.Errorf("stat %s: %w", path, err)
	case !fi.IsDir():
		return glpinet.Errorf(glpinet.EINVALID, "The %s %s is not a directory.", what, path)
	}
	return nil
}

// inFile prefixes an error's message with the file it is about, keeping
// its code so that the command line still shows it as the user's problem.
func inFile(path string, err error) error {
	var e *glpinet.Error
	if errors.As(err, &e) {
		return glpinet.Errorf(e.Code, "%s: %s", path, e.Message)
	}
	return fmt.Errorf("%s: %w", path, err)
}
