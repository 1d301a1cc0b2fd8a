package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/hostfile"
	"github.com/glpinet/glpinet/internal/php"
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
	src, err := readPHPFile(path, configFileLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return DBConfig{}, glpinet.Errorf(glpinet.EINVALID, "%s does not exist: GLPI has not been installed yet (run its installer first).", path)
	} else if err != nil {
		return DBConfig{}, err
	}
	c, err := ParseConfigDB(src)
	if err != nil {
		return DBConfig{}, inFile(path, err)
	}
	return c, nil
}

// Size limits of the PHP files glpinet reads, far above what GLPI writes
// (local_define.php, downstream.php and config_db.php are well under
// 4 KiB; inc/define.php of GLPI 10 is about 35 KiB, GLPI 11's
// src/autoload/constants.php under 4 KiB), so that a huge or endless file
// planted in the tree is refused instead of read.
const (
	configFileLimit = 256 << 10
	codeFileLimit   = 1 << 20
)

// readVersion returns GLPI_VERSION and the file declaring it.
func readVersion(root string) (version, file string, err error) {
	var seen []string
	for _, rel := range versionFiles {
		path := filepath.Join(root, filepath.FromSlash(rel))
		c, err := readConstsFile(path, codeFileLimit, newEvalEnv())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		seen = append(seen, path)
		v, set, err := c.lookup("GLPI_VERSION")
		if err != nil {
			return "", "", inFile(path, err)
		}
		if set && v != "" {
			return v, path, nil
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
	ev.Getenv = env
	ev.Consts["GLPI_ROOT"] = php.Value{Kind: php.String, S: root}
	for _, rel := range []string{"config/local_define.php", "inc/downstream.php"} {
		path := filepath.Join(root, filepath.FromSlash(rel))
		c, err := readConstsFile(path, configFileLimit, ev)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		v, set, err := c.lookup("GLPI_CONFIG_DIR")
		if err != nil {
			return "", "", glpinet.Errorf(glpinet.EINVALID,
				"%s: %s Set the GLPI_CONFIG_DIR environment variable to the configuration directory, or make the define a plain top-level one.", path, glpinet.ErrorMessage(err))
		}
		if set && v == "" {
			return "", "", glpinet.Errorf(glpinet.EINVALID, "%s defines GLPI_CONFIG_DIR as an empty string; set the GLPI_CONFIG_DIR environment variable to the configuration directory instead.", path)
		}
		if set {
			return absUnder(root, v), path, nil
		}
	}
	return filepath.Join(root, "config"), "GLPI's default", nil
}

// readConstsFile reads the constants of the PHP file at path in ev.
// Errors about the content name the file; a missing file gives an error
// matching fs.ErrNotExist.
func readConstsFile(path string, limit int64, ev *evalEnv) (*consts, error) {
	src, err := readPHPFile(path, limit)
	if err != nil {
		return nil, err
	}
	ev.File = path
	c, err := readConsts(src, ev)
	if err != nil {
		return nil, inFile(path, err)
	}
	return c, nil
}

// readPHPFile reads a PHP file of the GLPI tree through hostfile: regular
// files only, never blocking on a FIFO, at most limit bytes. Refusals are
// EINVALID, as they are about the installation's content.
func readPHPFile(path string, limit int64) ([]byte, error) {
	src, err := hostfile.Read(path, limit)
	var he *hostfile.Error
	switch {
	case errors.As(err, &he):
		return nil, glpinet.Errorf(glpinet.EINVALID, "%s.", he.Error())
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return src, nil
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

// LocalDefine returns the value that local_define.php in the
// configuration directory gives the constant name, and whether it sets
// it. The error is EINVALID, naming the file and the line, when glpinet
// cannot be sure of the value without running PHP (see [Defines]), or
// when the file is not a regular file or is too large.
func (in *Install) LocalDefine(name string) (string, bool, error) {
	ev := newEvalEnv()
	ev.Consts["GLPI_ROOT"] = php.Value{Kind: php.String, S: in.Root}
	path := in.LocalDefinePath()
	c, err := readConstsFile(path, configFileLimit, ev)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	v, set, err := c.lookup(name)
	if err != nil {
		return "", false, inFile(path, err)
	}
	return v, set, nil
}
