package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/glpinet/glpinet/internal/migration"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockID identifies glpinet's advisory lock, distinct from goose's
// default so that another goose-migrated application sharing the database
// neither waits for us nor we for it. (Advisory locks are per database:
// schemas of one database share it, which only serialises their migrations.)
const migrationLockID = 0x676c70696e6574 // "glpinet"

// Migrate applies the pending migrations to the database at dsn, holding
// the migration lock, and returns those it applied (none when up to date).
// Unlike Open it seeds nothing, so that a database can be prepared for a
// copy.
func Migrate(ctx context.Context, dsn string) ([]*goose.MigrationResult, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	res, err := migrate(ctx, pool)
	return res, startupError(err)
}

// MigrationStatus returns every migration this build knows and whether the
// database at dsn has it, by version.
func MigrationStatus(ctx context.Context, dsn string) ([]*goose.MigrationStatus, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := newProvider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, startupError(fmt.Errorf("migration status: %w", mapError(err)))
	}
	return st, nil
}

// migrate applies the pending migrations through pool.
func migrate(ctx context.Context, pool *pgxpool.Pool) ([]*goose.MigrationResult, error) {
	// goose speaks database/sql; this one borrows the pool's connections.
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := newProvider(db)
	if err != nil {
		return nil, err
	}
	res, err := migration.Up(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", mapError(err))
	}
	return res, nil
}

// newProvider returns a goose provider of the embedded migrations that
// holds a session-level advisory lock while it works: replicas starting
// together take turns, and those coming after the first find nothing left
// to do. The lock is retried every second for five minutes (goose's default
// period, five seconds, would make every waiting replica start late); a
// lock held by a crashed process goes with its session.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
}
