-- +goose Up
-- Published archives kept in the database, so that replicas need no
-- shared disk (glpinet.ArchiveStore; each replica caches them in its
-- DATA/archives). A blob is named by the hex SHA-256 of its bytes, as
-- plugin_versions.archive_sha256, and never changes: storing it again
-- does nothing. Its bytes are chunks of chunk_size bytes (the last one
-- shorter), numbered from 0, so that neither writing nor reading one
-- holds a whole archive in memory. No foreign key ties versions to
-- blobs: versions published before this migration have none until a
-- replica uploads them from its disk (see docs/operations.md).
--
-- Numbered 00005: 00004 belongs to user disabling. SQLite has a no-op
-- 00005 so that both stores keep the same versions.
CREATE TABLE archive_blobs (
    sha256     text        PRIMARY KEY, -- lower-case hex, 64 characters
    size       bigint      NOT NULL CHECK (size >= 0),
    chunk_size integer     NOT NULL CHECK (chunk_size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE archive_chunks (
    sha256 text    NOT NULL REFERENCES archive_blobs (sha256) ON DELETE CASCADE,
    seq    integer NOT NULL CHECK (seq >= 0),
    data   bytea   NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Archives are compressed already (zip, gzip, bzip2): stored out of line
-- without TOAST's pglz attempt, which would only cost CPU.
ALTER TABLE archive_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE archive_chunks;
DROP TABLE archive_blobs;
