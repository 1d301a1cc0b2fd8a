package main

import (
	"log/slog"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/archivecache"
)

// newArchiveCache returns what downloads read archives from: the data
// folder's archives/, filled from the database when the store keeps
// archives (PostgreSQL), so that replicas need no shared disk.
func newArchiveCache(db glpinet.Store, dir string, log *slog.Logger) *archivecache.Cache {
	c := &archivecache.Cache{Dir: dir, Logger: log}
	if as, ok := db.(glpinet.ArchiveStore); ok {
		c.Store = as
	}
	return c
}
