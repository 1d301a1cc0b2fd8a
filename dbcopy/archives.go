package dbcopy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/postgres"
	"github.com/jackc/pgx/v5"
)

// archiveTables are the target's tables that keep the archives' bytes
// (glpinet.ArchiveStore). SQLite keeps archives as files only, so they
// are filled from the archive folder, not from tables of the source.
var archiveTables = map[string]bool{"archive_blobs": true, "archive_chunks": true}

// Archives is what a copy did with the archive files.
type Archives struct {
	// Dir is the archive folder they were read from; "" when the copy
	// left them out.
	Dir string `json:"dir,omitempty"`
	// Copied and Bytes count the archives stored in the target, once per
	// SHA-256.
	Copied int   `json:"copied"`
	Bytes  int64 `json:"bytes"`
	// Missing are the paths, relative to Dir, of the archives whose file
	// is not there or is not the version's bytes: not copied. A replica
	// started with that file in its data folder uploads it.
	Missing []string      `json:"missing,omitempty"`
	Took    time.Duration `json:"took_ns"`
}

// copyArchives stores the archive file of every version of the source in
// the target's transaction, one at a time (a chunk in memory), checked
// against the version's size and SHA-256.
func copyArchives(ctx context.Context, tx pgx.Tx, src *source, dir string) (Archives, error) {
	start := time.Now()
	res := Archives{Dir: dir}
	rows, err := src.db.QueryContext(ctx, `SELECT archive_sha256, archive_size, min(archive_path) FROM plugin_versions
		GROUP BY archive_sha256, archive_size ORDER BY archive_sha256`)
	if err != nil {
		return res, fmt.Errorf("list the archives of the snapshot: %w", err)
	}
	type archive struct {
		sha256, path string
		size         int64
	}
	var list []archive
	for rows.Next() {
		var a archive
		if err := rows.Scan(&a.sha256, &a.size, &a.path); err != nil {
			rows.Close()
			return res, err
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	if len(list) == 0 {
		return res, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return res, glpinet.Errorf(glpinet.EINVALID, "Cannot open the archive folder %s (%v): give it with --archives, or leave the archives out with --no-archives", dir, err)
	}
	defer root.Close()
	for _, a := range list {
		err := copyArchive(ctx, tx, root, a.path, a.sha256, a.size)
		switch {
		case err == nil:
			res.Copied++
			res.Bytes += a.size
		case errors.Is(err, fs.ErrNotExist) || glpinet.ErrorCode(err) == glpinet.EINVALID:
			res.Missing = append(res.Missing, a.path)
		default:
			return res, fmt.Errorf("copy the archive %s: %w", a.path, err)
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// copyArchive stores one archive file, read through root (the folder's
// paths come from the database and stay inside it).
func copyArchive(ctx context.Context, tx pgx.Tx, root *os.Root, path, sha256 string, size int64) error {
	f, err := root.Open(filepath.FromSlash(path))
	if err != nil {
		return err
	}
	defer f.Close()
	return postgres.CopyArchive(ctx, tx, sha256, size, f)
}

// verifyArchives checks, before the commit, that the target holds a blob
// of the right size for each archive copied.
func verifyArchives(ctx context.Context, tx pgx.Tx, res Archives) error {
	var n int
	var bytes int64
	err := tx.QueryRow(ctx, `SELECT count(*), COALESCE(sum(size), 0) FROM archive_blobs b
		WHERE EXISTS (SELECT 1 FROM plugin_versions v WHERE v.archive_sha256 = b.sha256 AND v.archive_size = b.size)`).Scan(&n, &bytes)
	if err != nil {
		return fmt.Errorf("verify the archives: %w", err)
	}
	if n != res.Copied || bytes != res.Bytes {
		return fmt.Errorf("verification failed, nothing was copied: %d archives of %d bytes copied, the target holds %d of %d bytes", res.Copied, res.Bytes, n, bytes)
	}
	return nil
}
