package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet"
)

// rename is os.Rename; tests replace it to inject failures into the swap.
var rename = os.Rename

// stagingPattern names the temporary folders InstallPlugin makes inside
// the marketplace directory. The leading dot and the dashes keep GLPI from
// taking them for plugins (keys match ^[a-z0-9]+$).
const stagingPattern = ".glpinet-staging-"

// PluginTarget says what installing key into dir would replace, and
// refuses as GLPI's Controller::canBeOverwritten() does: a directory under
// version control (.git, .hg, .svn) is someone's working copy and is only
// replaced with force. It returns the existing directory's path, "" when
// there is none. Errors: EINVALID for a bad key or a target that is not a
// directory, ECONFLICT for version control without force.
func PluginTarget(dir, key string, force bool) (existing string, err error) {
	if !glpinet.PluginKeyPattern.MatchString(key) {
		return "", glpinet.Errorf(glpinet.EINVALID, "%q is not a plugin key: GLPI allows lower-case letters and digits only", key)
	}
	target := filepath.Join(dir, key)
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("stat %s: %w", target, err)
	case !fi.IsDir():
		return "", glpinet.Errorf(glpinet.EINVALID, "%s exists and is not a directory: move it away first", target)
	}
	if v := vcsOf(target); v != "" && !force {
		return "", glpinet.Errorf(glpinet.ECONFLICT, "%s holds %s: it is a working copy under version control, which GLPI never overwrites; update it with your version control tool, or use --force to replace it", target, v)
	}
	return target, nil
}

// PluginInstalled is the outcome of InstallPlugin.
type PluginInstalled struct {
	// Path is the plugin's directory, dir/<key>.
	Path string
	// Replaced reports that a previous directory was replaced.
	Replaced bool
	// Leftover is a staging folder that could not be removed after a
	// successful install (it holds the previous version): "" normally.
	Leftover string
}

// InstallPlugin puts a new version of plugin key into dir (GLPI's
// marketplace/) so that GLPI sees either the old directory or the complete
// new one, never a mix, and the old one is back whenever anything fails.
//
// fill writes the new plugin as staging/<key>, where staging is a fresh
// private folder inside dir (same file system, so that the swap is a pair
// of renames). Then the new tree is given the owner of dir when running as
// root (GLPI's web server user must read it), flushed to disk, the current
// dir/<key> is renamed aside into staging, the new one renamed in, and
// staging (holding the old version) removed. If the second rename fails
// the old directory is renamed back. fill's error is returned as is.
//
// The checks of PluginTarget apply first; nothing is written when they
// refuse.
func InstallPlugin(dir, key string, force bool, fill func(staging string) error) (*PluginInstalled, error) {
	existing, err := PluginTarget(dir, key, force)
	if err != nil {
		return nil, err
	}
	dirInfo, err := os.Stat(dir)
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EINVALID, "GLPI's marketplace directory %s is missing: create it (owned by the web server user) or check --glpi-root", dir)
	}
	staging, err := os.MkdirTemp(dir, stagingPattern+key+"-")
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EFORBIDDEN, "Cannot write into %s (%v): run glpinet as the web server user or as root", dir, errors.Unwrap(err))
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(staging)
		}
	}()
	if err := fill(staging); err != nil {
		return nil, err
	}
	fresh := filepath.Join(staging, key)
	if fi, err := os.Lstat(fresh); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("install %s: nothing was extracted as %s", key, fresh)
	}
	if os.Geteuid() == 0 {
		if err := chownTree(fresh, dirInfo); err != nil {
			return nil, err
		}
	}
	flushFS(fresh)

	target := filepath.Join(dir, key)
	aside := filepath.Join(staging, "previous")
	if existing != "" {
		if err := rename(target, aside); err != nil {
			return nil, fmt.Errorf("move the current %s aside: %w", target, err)
		}
	}
	if err := rename(fresh, target); err != nil {
		if existing != "" {
			if rerr := rename(aside, target); rerr != nil {
				keep = true // the previous version is only there now
				return nil, fmt.Errorf("install %s: %v; and putting the previous version back failed (%v): it is in %s, move it back to %s", key, err, rerr, aside, target)
			}
		}
		return nil, fmt.Errorf("install %s: %w", key, err)
	}
	syncDir(dir)
	keep = true
	res := &PluginInstalled{Path: target, Replaced: existing != ""}
	if err := os.RemoveAll(staging); err != nil {
		res.Leftover = staging
	}
	return res, nil
}
