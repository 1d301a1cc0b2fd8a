-- +goose Up
-- Deliberately empty. PostgreSQL's 00005 creates archive_blobs and
-- archive_chunks, the archives kept in the database for replicas without
-- a shared disk; with SQLite, one process and its data folder, the files
-- under DATA/archives are the archives' only home. This migration keeps
-- the two stores at the same versions (postgres/doc.go), and
-- `glpinetd db copy` fills those two tables from the archive files, not
-- from SQLite tables.
SELECT 1;

-- +goose Down
SELECT 1;
