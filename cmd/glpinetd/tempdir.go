package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/publish"
)

// staleTempAge is the age past which what lies in the temporary folder is
// a leftover: an upload being received writes to its file at least every
// few seconds (the server's minimum transfer rate), so an entry untouched
// for this long belongs to a run that stopped. Age rather than "everything
// at start" because replicas may share one data folder.
const staleTempAge = time.Hour

// prepareTempDir makes the server's temporary folder (0700) and removes
// its leftovers.
func prepareTempDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	return sweepTempDir(dir, time.Now(), log)
}

// sweepTempDir removes the entries of dir untouched for staleTempAge.
func sweepTempDir(dir string, now time.Time, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	removed := 0
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !stale(path, now) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("temporary folder: %w", err)
		}
		removed++
	}
	if removed > 0 {
		log.Info("removed leftovers of interrupted uploads", "folder", dir, "entries", removed)
	}
	return nil
}

// stale reports whether nothing under path changed for staleTempAge.
func stale(path string, now time.Time) bool {
	fresh := false
	filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil && now.Sub(info.ModTime()) < staleTempAge {
			fresh = true
			return filepath.SkipAll
		}
		return nil
	})
	return !fresh
}

// reportLeftovers removes what interrupted publications left in the
// archive folder and reports archives no version uses (see
// publish.Leftovers: they are not removed).
func reportLeftovers(archiveDir string, cat *glpinet.Catalogue, log *slog.Logger) error {
	l, err := publish.FindLeftovers(archiveDir, cat, time.Now(), staleTempAge)
	if err != nil {
		return fmt.Errorf("archive folder: %w", err)
	}
	if err := l.RemovePartial(); err != nil {
		return fmt.Errorf("archive folder: %w", err)
	}
	if len(l.Partial) > 0 {
		log.Info("removed leftovers of interrupted publications", "folder", archiveDir, "files", len(l.Partial))
	}
	if len(l.Orphans) > 0 {
		log.Warn("archives that no published version uses (interrupted or replaced publications); remove them once no publication is running",
			"folder", archiveDir, "files", len(l.Orphans), "bytes", l.OrphanBytes, "first", l.Orphans[0])
	}
	return nil
}
