package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"github.com/glpinet/glpinet/internal/migration"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the pending migrations to the database file at path
// (created if needed) and returns those it applied (none when up to
// date). Unlike Open it seeds nothing, so that a database can be prepared
// for a copy. The postgres package has the same function.
func Migrate(ctx context.Context, path string) ([]*goose.MigrationResult, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := newProvider(db)
	if err != nil {
		return nil, err
	}
	res, err := migration.Up(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", path, mapError(err))
	}
	return res, nil
}

// MigrationStatus returns every migration this build knows and whether the
// database file at path has it, by version. A file that does not exist
// has them all pending, and is not created.
func MigrationStatus(ctx context.Context, path string) ([]*goose.MigrationStatus, error) {
	name := dsn(path, true)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// goose records its version table before it reports: let it do so
		// in memory.
		name = "file::memory:"
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := newProvider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status of %s: %w", path, mapError(err))
	}
	return st, nil
}

// newProvider returns a goose provider of the embedded migrations. SQLite
// needs no lock: its single writer serialises migrations.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}
