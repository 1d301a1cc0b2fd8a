// Package archivecache gives the download handler the file of an archive
// to serve with sendfile, from a replica's own disk. With the sqlite
// store, DATA/archives is the archives' only home. With PostgreSQL, the
// database keeps every archive (glpinet.ArchiveStore) and DATA/archives is
// a cache: an archive missing there is fetched from the database once,
// checked against its version (size and SHA-256) and kept, so that
// replicas need no shared disk and the cache can be deleted at any time.
//
// The cache is the one place that decides what may be served: bytes that
// fail the check are never written where a download would read them.
package archivecache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/atomicfile"
	"golang.org/x/sync/singleflight"
)

// DefaultFetchTimeout bounds one fetch from the database: generous for
// the largest archive over a slow link, short enough that a stuck fetch
// does not make every later download of the archive wait for ever.
const DefaultFetchTimeout = 10 * time.Minute

// Cache opens archive files under Dir, fetching the missing ones from
// Store. Set the exported fields before the first Open; they must not
// change afterwards.
type Cache struct {
	// Dir is the archive folder, DATA/archives: an archive's file is at
	// its Archive.Path below it.
	Dir string
	// Store keeps the archives in the database; nil when Dir is their
	// only home (SQLite).
	Store glpinet.ArchiveStore
	// Logger receives fetches and failed checks (nil: slog.Default()).
	Logger *slog.Logger
	// FetchTimeout bounds one fetch (0: DefaultFetchTimeout).
	FetchTimeout time.Duration

	group   singleflight.Group
	fetches atomic.Int64
}

// Fetches returns how many archives this cache fetched from the database
// and kept.
func (c *Cache) Fetches() int64 { return c.fetches.Load() }

// Open returns a's file, open for reading: the local one, or else the one
// fetched from the database and checked. Concurrent calls for a missing
// archive fetch it once; each caller may stop waiting when its ctx ends,
// without cancelling the fetch for the others.
//
// Returns EINTERNAL (the database's copy fails the check, or the file is
// missing and there is no database copy to fetch) and EUNAVAILABLE (the
// database cannot be reached, or holds no copy).
func (c *Cache) Open(ctx context.Context, a glpinet.Archive) (*os.File, error) {
	if !filepath.IsLocal(filepath.FromSlash(a.Path)) {
		return nil, fmt.Errorf("archive path %q is not inside the archive folder", a.Path)
	}
	path := filepath.Join(c.Dir, filepath.FromSlash(a.Path))
	f, err := c.openLocal(path, a)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	if c.Store == nil {
		c.logger().Error("archive file missing", "path", path, "sha256", a.SHA256)
		return nil, fmt.Errorf("%w: %w", glpinet.Errorf(glpinet.EINTERNAL, "The file of archive %s is missing on the server.", a.Filename), err)
	}
	ch := c.group.DoChan(a.Path, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.fetchTimeout())
		defer cancel()
		return nil, c.fetch(fctx, path, a)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
	}
	return c.openLocal(path, a)
}

// openLocal opens the file at path if it is a's: a file of another size
// (a copy damaged outside glpinetd) is refused, so that it is never
// served; delete it and the next download fetches it again.
func (c *Cache) openLocal(path string, a glpinet.Archive) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() != a.Size {
		f.Close()
		c.logger().Error("archive file damaged: not served; delete it so that it is fetched again or restore it", "path", path, "size", st.Size(), "want_size", a.Size)
		return nil, glpinet.Errorf(glpinet.EINTERNAL, "The server's copy of archive %s is damaged, so it is not served.", a.Filename)
	}
	return f, nil
}

// fetch copies the blob of a from the database to path, through a
// temporary file that becomes path only once its size and SHA-256 are a's.
// Memory stays one chunk of the blob.
func (c *Cache) fetch(ctx context.Context, path string, a glpinet.Archive) error {
	start := time.Now()
	rc, size, err := c.Store.OpenArchive(ctx, a.SHA256)
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		c.logger().Error("archive neither on this replica's disk nor in the database: republish it, or start a replica that has it on disk (it uploads it)", "path", a.Path, "sha256", a.SHA256)
		return glpinet.Errorf(glpinet.EUNAVAILABLE, "Archive %s is not available on this server right now.", a.Filename)
	} else if err != nil {
		return err
	}
	defer rc.Close()
	if size != a.Size {
		return c.refuse(a, fmt.Sprintf("the database's copy has %d bytes, the version %d", size, a.Size))
	}
	tmp, err := atomicfile.CreateAll(path, 0o640, 0o750)
	if err != nil {
		return err
	}
	defer tmp.Abort()
	h := sha256.New()
	// One byte more than expected, to notice a longer blob.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rc, a.Size+1))
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINTERNAL {
			return c.refuse(a, err.Error())
		}
		return err
	}
	if n != a.Size {
		return c.refuse(a, fmt.Sprintf("read %d bytes from the database, the version has %d", n, a.Size))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.SHA256 {
		return c.refuse(a, "the database's copy has the SHA-256 "+got)
	}
	if err := tmp.CommitNew(); err != nil && !errors.Is(err, fs.ErrExist) {
		// fs.ErrExist: another process (the same data folder shared
		// after all) stored the same checked bytes meanwhile.
		return err
	}
	c.fetches.Add(1)
	c.logger().Info("archive fetched from the database", "path", a.Path, "size", a.Size, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// refuse logs a blob that failed the check and returns the error the
// download gets: nothing of it was served, nor kept.
func (c *Cache) refuse(a glpinet.Archive, why string) error {
	c.logger().Error("archive in the database fails verification: not served; republish the version with --force", "path", a.Path, "sha256", a.SHA256, "why", why)
	return glpinet.Errorf(glpinet.EINTERNAL, "The server's copy of archive %s fails verification, so it is not served.", a.Filename)
}

func (c *Cache) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

func (c *Cache) fetchTimeout() time.Duration {
	if c.FetchTimeout <= 0 {
		return DefaultFetchTimeout
	}
	return c.FetchTimeout
}
