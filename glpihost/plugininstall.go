package glpihost

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
)

// rename is os.Rename; tests replace it to inject failures into the swap.
var rename = os.Rename

// exchange swaps two directories in one step (renameat2 RENAME_EXCHANGE
// on Linux), so that no moment exists without a plugin directory; it
// returns errNoExchange where the system or file system cannot. Tests
// replace it.
var exchange = exchangeDirs

// errNoExchange means exchange is not available: two renames do the swap.
var errNoExchange = errors.New("atomic exchange not supported")

// stagingPattern names the temporary folders InstallPlugin makes inside
// the marketplace directory. The leading dot and the dashes keep GLPI from
// taking them for plugins (keys match ^[a-z0-9]+$), and the name tells
// glpinet its own leftovers from anything else.
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
// new one, never a mix, and the old one is back whenever anything fails,
// the process being killed included.
//
// fill writes the new plugin as staging/<key>, where staging is a fresh
// private folder inside dir (same file system, so that the swap is a
// rename), locked (flock) while this install runs. Then the new tree is
// given the owner of dir when running as root (GLPI's web server user must
// read it) and flushed to disk; it is exchanged with the current
// dir/<key> in one step where the system can (Linux), else the current
// one is renamed aside into staging and the new one renamed in (and the
// old one renamed back if that fails); staging, then holding the old
// version, is removed. fill's error is returned as is.
//
// The staging folders of installs that were killed are dealt with first:
// a previous version moved aside is put back if its place is empty, and
// the folder removed. Folders still locked belong to a running install
// and are left alone, and nothing but glpinet's own names is touched.
//
// The checks of PluginTarget apply first; nothing is written when they
// refuse.
func InstallPlugin(dir, key string, force bool, fill func(staging string) error) (*PluginInstalled, error) {
	if _, err := CleanPluginLeftovers(dir); err != nil {
		return nil, err
	}
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
	unlock, _, err := lockDir(staging, true)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", staging, err)
	}
	defer unlock()
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
	// Tests only: a kill here leaves a complete new version in staging.
	pauseAt(context.Background(), "plugin-extracted")

	target := filepath.Join(dir, key)
	if err := swapIn(staging, fresh, target, existing != ""); err != nil {
		var kept *keptAside
		keep = errors.As(err, &kept)
		return nil, fmt.Errorf("install %s: %w", key, err)
	}
	syncDir(dir)
	keep = true
	// Tests only: a kill here leaves the previous version in staging.
	pauseAt(context.Background(), "plugin-swapped")
	res := &PluginInstalled{Path: target, Replaced: existing != ""}
	if err := os.RemoveAll(staging); err != nil {
		res.Leftover = staging
	}
	return res, nil
}

// keptAside is a failed swap whose previous version could not be put
// back: staging must not be removed.
type keptAside struct{ err error }

func (e *keptAside) Error() string { return e.err.Error() }
func (e *keptAside) Unwrap() error { return e.err }

// swapIn makes fresh the plugin at target. With replace, the previous
// target ends inside staging (as staging/<key> after an exchange, as
// staging/previous after two renames); on failure target is as before.
func swapIn(staging, fresh, target string, replace bool) error {
	if !replace {
		return rename(fresh, target)
	}
	err := exchange(fresh, target)
	if !errors.Is(err, errNoExchange) {
		return err
	}
	aside := filepath.Join(staging, "previous")
	if err := rename(target, aside); err != nil {
		return fmt.Errorf("move the current %s aside: %w", target, err)
	}
	// A kill between these renames leaves no target: the next install
	// puts staging/previous back (CleanPluginLeftovers).
	if err := rename(fresh, target); err != nil {
		if rerr := rename(aside, target); rerr != nil {
			return &keptAside{fmt.Errorf("%v; and putting the previous version back failed (%v): it is in %s, move it back to %s", err, rerr, aside, target)}
		}
		return err
	}
	return nil
}

// CleanPluginLeftovers deals with the staging folders that installs
// killed part-way left in dir (GLPI's marketplace/), and returns the
// folders it removed. Only names glpinet makes (.glpinet-staging-<key>-N)
// are touched; a folder still locked by a running install is left alone.
// When the plugin's own directory is missing and the folder holds the
// previous version moved aside, that version is put back first: GLPI
// finds the plugin as it was before the killed install.
func CleanPluginLeftovers(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var removed []string
	for _, e := range entries {
		key, ok := stagingKey(e.Name())
		if !ok || e.Type() != fs.ModeDir {
			continue // never a link, never a file, never another name
		}
		staging := filepath.Join(dir, e.Name())
		unlock, free, err := lockDir(staging, true)
		if err != nil || !free {
			continue // vanished, or an install is running in it
		}
		target := filepath.Join(dir, key)
		aside := filepath.Join(staging, "previous")
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			if fi, err := os.Lstat(aside); err == nil && fi.IsDir() {
				if err := rename(aside, target); err != nil {
					unlock()
					return removed, fmt.Errorf("put the previous version of %s back from %s: %w", key, aside, err)
				}
				syncDir(dir)
			}
		}
		err = os.RemoveAll(staging)
		unlock()
		if err != nil {
			return removed, fmt.Errorf("remove the leftover %s: %w", staging, err)
		}
		removed = append(removed, staging)
	}
	return removed, nil
}

// stagingKey returns the plugin key of a staging folder's name.
func stagingKey(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, stagingPattern)
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return "", false
	}
	key, suffix := rest[:i], rest[i+1:]
	if !glpinet.PluginKeyPattern.MatchString(key) || suffix == "" {
		return "", false
	}
	for _, c := range suffix {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return key, true
}
