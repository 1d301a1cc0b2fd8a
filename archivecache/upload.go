package archivecache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/glpinet/glpinet"
)

// Uploaded is what Upload did.
type Uploaded struct {
	// Archives and Bytes count the archives stored in the database.
	Archives int
	Bytes    int64
	// Absent are the SHA-256 of archives the database lacks and this
	// replica's disk too (another replica may have them).
	Absent []string
	// Refused are the SHA-256 of local files whose bytes are not their
	// version's: not uploaded.
	Refused []string
}

// Upload stores in the database the archives that versions refer to and
// that it lacks, from this replica's disk: those published before the
// database kept archives, while replicas shared a disk. It is what lets a
// deployment leave its shared disk: every replica runs it at start, and
// once one has run with the shared disk mounted, the database holds every
// archive. The cost is bounded: one archive at a time, read from disk as
// it is stored (one chunk in memory), and nothing at all once the database
// has them all (one query). Each archive is checked by the store against
// its version's size and SHA-256.
func (c *Cache) Upload(ctx context.Context) (Uploaded, error) {
	var u Uploaded
	if c.Store == nil {
		return u, nil
	}
	missing, err := c.Store.MissingArchives(ctx)
	if err != nil {
		return u, err
	}
	for _, a := range missing {
		err := c.upload(ctx, a)
		switch {
		case err == nil:
			u.Archives++
			u.Bytes += a.Size
		case errors.Is(err, fs.ErrNotExist):
			u.Absent = append(u.Absent, a.SHA256)
		case glpinet.ErrorCode(err) == glpinet.EINVALID:
			c.logger().Error("archive file differs from its version: not uploaded", "path", a.Path, "err", err)
			u.Refused = append(u.Refused, a.SHA256)
		default:
			return u, err
		}
	}
	return u, nil
}

// upload stores the local file of a.
func (c *Cache) upload(ctx context.Context, a glpinet.Archive) error {
	if !filepath.IsLocal(filepath.FromSlash(a.Path)) {
		return glpinet.Errorf(glpinet.EINVALID, "archive path %q is not inside the archive folder", a.Path)
	}
	f, err := os.Open(filepath.Join(c.Dir, filepath.FromSlash(a.Path)))
	if err != nil {
		return err
	}
	defer f.Close()
	return c.Store.PutArchive(ctx, a.SHA256, a.Size, f)
}

// UploadAndLog runs Upload and logs its outcome: what a replica runs at
// start, off the path of requests.
func (c *Cache) UploadAndLog(ctx context.Context) {
	if c.Store == nil {
		return
	}
	start := time.Now()
	u, err := c.Upload(ctx)
	log := c.logger()
	if err != nil {
		if ctx.Err() == nil {
			log.Error("uploading archives to the database stopped; it resumes at the next start", "uploaded", u.Archives, "err", err)
		}
		return
	}
	if u.Archives > 0 {
		log.Info("archives uploaded to the database", "archives", u.Archives, "bytes", u.Bytes, "took", time.Since(start).Round(time.Millisecond))
	}
	if len(u.Absent) > 0 {
		log.Warn("archives in neither the database nor this replica's disk: a replica that has them uploads them when it starts; until then their downloads fail", "count", len(u.Absent), "sha256", u.Absent[:min(len(u.Absent), 10)])
	}
}
