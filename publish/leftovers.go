package publish

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
)

// Leftovers are the files of an archive folder that no published version
// uses.
type Leftovers struct {
	// Partial are the temporary files of publications that stopped midway
	// (".NAME.tmp-*", or ".upload-*" from earlier versions), untouched for
	// the stale age given: safe to remove.
	Partial []string
	// Orphans are complete archives that no version of the catalogue
	// refers to: a publication whose transaction failed after the copy, or
	// the file a forced re-publication replaced. Reported, not removed: a
	// replica sharing the folder may be publishing one right now.
	Orphans     []string
	OrphanBytes int64
}

// FindLeftovers walks the archive folder dir and compares it with cat,
// which must list every version, yanked ones included.
func FindLeftovers(dir string, cat *glpinet.Catalogue, now time.Time, staleAge time.Duration) (Leftovers, error) {
	used := map[string]bool{}
	for _, p := range cat.Plugins {
		for _, v := range p.Versions {
			used[filepath.Clean(filepath.FromSlash(v.Archive.Path))] = true
		}
	}
	var l Leftovers
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == dir {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		switch {
		case isPartial(d.Name()):
			if now.Sub(info.ModTime()) >= staleAge {
				l.Partial = append(l.Partial, path)
			}
		case !used[rel]:
			l.Orphans = append(l.Orphans, path)
			l.OrphanBytes += info.Size()
		}
		return nil
	})
	return l, err
}

// isPartial reports whether name is the temporary file of a publication
// (atomicfile's, or the ".upload-*" of versions before it).
func isPartial(name string) bool {
	return strings.HasPrefix(name, ".upload-") || strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// RemovePartial removes the partial files found.
func (l Leftovers) RemovePartial() error {
	for _, p := range l.Partial {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
