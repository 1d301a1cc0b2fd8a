package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/glpinet/glpinet"
)

// PluginDir is a plugin directory found in one of GLPI's plugin folders.
type PluginDir struct {
	// Key is the directory name, which GLPI uses as the plugin key.
	Key string `json:"key"`
	// Path is the absolute path of the directory.
	Path string `json:"path"`
	// Where is "marketplace" or "plugins".
	Where string `json:"where"`
	// VCS names the version control folder it holds (.git, .hg, .svn),
	// "" when none: GLPI's marketplace never overwrites such a directory.
	VCS string `json:"vcs,omitempty"`
}

// SetupPHPPath is the plugin's setup.php, which declares its version.
func (d PluginDir) SetupPHPPath() string { return filepath.Join(d.Path, "setup.php") }

// vcsDirs are the folders that make GLPI's Controller::canBeOverwritten()
// refuse to replace a plugin: someone works on it with version control.
var vcsDirs = []string{".git", ".hg", ".svn"}

// vcsOf returns the version control folder inside dir, "" when none.
func vcsOf(dir string) string {
	for _, v := range vcsDirs {
		if _, err := os.Lstat(filepath.Join(dir, v)); err == nil {
			return v
		}
	}
	return ""
}

// Plugins lists the plugin directories of the installation, marketplace
// first as GLPI loads them (GLPI_PLUGINS_DIRECTORIES defaults to
// marketplace/ then plugins/; the first directory holding a key wins), each
// sorted by key. Only directories named like a plugin key and holding a
// setup.php count, as for GLPI. A missing plugin folder is not an error.
func (in *Install) Plugins() ([]PluginDir, error) {
	var out []PluginDir
	for _, loc := range []struct{ where, dir string }{{"marketplace", in.MarketplaceDir()}, {"plugins", in.PluginsDir()}} {
		entries, err := os.ReadDir(loc.dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("list %s: %w", loc.dir, err)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			path := filepath.Join(loc.dir, e.Name())
			if !glpinet.PluginKeyPattern.MatchString(e.Name()) {
				continue
			}
			// Stat, not the entry's type: a plugin directory may be a
			// symbolic link (GLPI follows them).
			if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
				continue
			}
			if _, err := os.Stat(filepath.Join(path, "setup.php")); err != nil {
				continue
			}
			out = append(out, PluginDir{Key: e.Name(), Path: path, Where: loc.where, VCS: vcsOf(path)})
		}
	}
	return out, nil
}

// CleanPluginLeftovers removes what killed plugin installs left: staging
// folders in marketplace/ (putting back a previous version moved aside)
// and downloads in the system's temporary directory. Commands that
// install plugins call it first, whether or not they install anything,
// so that one run after a crash leaves the tree clean.
func (in *Install) CleanPluginLeftovers() ([]string, error) {
	removed, err := CleanPluginLeftovers(in.MarketplaceDir())
	return append(removed, CleanDownloadLeftovers(os.TempDir())...), err
}
