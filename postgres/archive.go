package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

// ArchiveChunkSize is the size of the chunks new blobs are cut into: big
// enough that an archive of tens of MiB costs tens of statements, small
// enough that a chunk in flight (once in our buffer, once in pgx's) stays
// a few MiB per transfer. Each blob records its own chunk size, so that
// changing this one leaves stored blobs readable.
const ArchiveChunkSize = 1 << 20

var _ glpinet.ArchiveStore = (*DB)(nil)

// PublishVersionArchive implements glpinet.ArchiveStore: the blob first,
// then the version, in one transaction. A concurrent publication of the
// same bytes waits on the blob's row until this one commits or rolls back.
func (db *DB) PublishVersionArchive(ctx context.Context, p *glpinet.Plugin, v *glpinet.Version, force bool, archive io.ReaderAt) error {
	// Checked before the upload, which a bad version would only waste.
	if err := v.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		// A fresh reader each attempt: update runs fn again after a
		// deadlock.
		if err := putArchive(ctx, tx, v.Archive.SHA256, v.Archive.Size, io.NewSectionReader(archive, 0, v.Archive.Size)); err != nil {
			return err
		}
		return storeflow.PublishVersion(ctx, tx, p, v, force)
	})
}

// PutArchive implements glpinet.ArchiveStore, in a transaction of its own.
func (db *DB) PutArchive(ctx context.Context, sha256 string, size int64, r io.Reader) error {
	// Not db.update: r cannot be read twice, and inserting a blob
	// conflicts with nothing that a retry would resolve.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := putArchive(ctx, tx, sha256, size, r); err != nil {
		return mapError(err)
	}
	return mapError(tx.Commit(ctx))
}

// CopyArchive is PutArchive inside the caller's transaction: `glpinetd db
// copy` stores the archive files in the transaction that copies the
// versions, so that the target gets both or neither. A refused archive
// (EINVALID, or an error reading r) is rolled back to a savepoint, so
// that the caller's transaction can go on without it.
func CopyArchive(ctx context.Context, tx pgx.Tx, sha256 string, size int64, r io.Reader) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return mapError(err)
	}
	if err := putArchive(ctx, sp, sha256, size, r); err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			return mapError(rerr)
		}
		return mapError(err)
	}
	return mapError(sp.Commit(ctx))
}

// putArchive stores the blob in q's transaction, a chunk at a time,
// checking the bytes' size and SHA-256 before the transaction may commit.
func putArchive(ctx context.Context, q querier, sum string, size int64, r io.Reader) error {
	if len(sum) != sha256.Size*2 || size < 0 {
		return glpinet.Errorf(glpinet.EINVALID, "An archive blob is named by its SHA-256 in hex (got %q, %d bytes).", sum, size)
	}
	// ON CONFLICT waits for a transaction inserting the same blob, then
	// does nothing if it committed: the blob is whole, nothing to write.
	var inserted bool
	err := q.QueryRow(ctx, `INSERT INTO archive_blobs (sha256, size, chunk_size) VALUES ($1, $2, $3)
		ON CONFLICT (sha256) DO NOTHING RETURNING true`, sum, size, ArchiveChunkSize).Scan(&inserted)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	h := sha256.New()
	buf := make([]byte, ArchiveChunkSize)
	var written int64
	for seq := 0; written < size; seq++ {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-written)])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return glpinet.Errorf(glpinet.EINVALID, "The archive %s is shorter than its %d bytes.", sum[:16], size)
			}
			return fmt.Errorf("read archive %s: %w", sum[:16], err)
		}
		h.Write(buf[:n])
		if _, err := q.Exec(ctx, `INSERT INTO archive_chunks (sha256, seq, data) VALUES ($1, $2, $3)`, sum, seq, buf[:n]); err != nil {
			return err
		}
		written += int64(n)
	}
	if n, _ := r.Read(buf[:1]); n > 0 {
		return glpinet.Errorf(glpinet.EINVALID, "The archive %s is longer than its %d bytes.", sum[:16], size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return glpinet.Errorf(glpinet.EINVALID, "The archive's bytes have the SHA-256 %s, not %s: it changed while it was being stored.", got, sum)
	}
	return nil
}

// OpenArchive implements glpinet.ArchiveStore. The reader queries one
// chunk at a time, holding no connection between two: a slow reader ties
// up nothing in the pool.
func (db *DB) OpenArchive(ctx context.Context, sha256 string) (io.ReadCloser, int64, error) {
	var size, chunkSize int64
	err := db.pool.QueryRow(ctx, `SELECT size, chunk_size FROM archive_blobs WHERE sha256 = $1`, sha256).Scan(&size, &chunkSize)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, glpinet.Errorf(glpinet.ENOTFOUND, "The database holds no archive %s.", sha256)
	} else if err != nil {
		return nil, 0, mapError(err)
	}
	return &chunkReader{ctx: ctx, db: db, sha256: sha256, size: size, chunkSize: chunkSize}, size, nil
}

// chunkReader reads a blob's chunks in order, checking that each one is
// there and has the length its place implies.
type chunkReader struct {
	ctx       context.Context
	db        *DB
	sha256    string
	size      int64
	chunkSize int64
	seq       int64
	off       int64  // bytes of the chunks fetched so far
	buf       []byte // what is left of the current chunk
	closed    bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.closed {
		return 0, errors.New("read of a closed archive")
	}
	if len(c.buf) == 0 {
		if c.off >= c.size {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// next fetches chunk c.seq.
func (c *chunkReader) next() error {
	var data []byte
	err := c.db.pool.QueryRow(c.ctx, `SELECT data FROM archive_chunks WHERE sha256 = $1 AND seq = $2`, c.sha256, c.seq).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: archive %s", glpinet.Errorf(glpinet.EINTERNAL, "Chunk %d of a stored archive is missing.", c.seq), c.sha256)
	} else if err != nil {
		return mapError(err)
	}
	if want := min(c.chunkSize, c.size-c.off); int64(len(data)) != want {
		return fmt.Errorf("%w: archive %s", glpinet.Errorf(glpinet.EINTERNAL, "Chunk %d of a stored archive has %d bytes, not %d.", c.seq, len(data), want), c.sha256)
	}
	c.buf = data
	c.off += int64(len(data))
	c.seq++
	return nil
}

// Close ends the reading.
func (c *chunkReader) Close() error {
	c.closed, c.buf = true, nil
	return nil
}

// MissingArchives implements glpinet.ArchiveStore.
func (db *DB) MissingArchives(ctx context.Context) ([]glpinet.Archive, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT ON (archive_sha256) archive_filename, archive_format, archive_size, archive_sha256, archive_path
		FROM plugin_versions v WHERE NOT EXISTS (SELECT 1 FROM archive_blobs b WHERE b.sha256 = v.archive_sha256)
		ORDER BY archive_sha256, created_at`)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (glpinet.Archive, error) {
		var a glpinet.Archive
		return a, row.Scan(&a.Filename, &a.Format, &a.Size, &a.SHA256, &a.Path)
	})
	return out, mapError(err)
}
