package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/postgres"
	"github.com/glpinet/glpinet/sqlite"
)

// storeFlags choose where the data lives; every command takes them.
type storeFlags struct {
	data     string
	database string
	json     bool
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", cli.Env("GLPINET_DATA", "data"), "data folder `DIR`: database, archives, signing key (env GLPINET_DATA)")
	fs.StringVar(&f.database, "database", cli.Env("GLPINET_DATABASE", ""), "`DATABASE`: a SQLite file path, sqlite:PATH, or PostgreSQL: postgres://user:password@host/db or 'host=… dbname=…' (default DATA/glpinet.db; env GLPINET_DATABASE)")
	fs.BoolVar(&f.json, "json", false, "print results as JSON")
}

func (f *storeFlags) archiveDir() string     { return filepath.Join(f.data, "archives") }
func (f *storeFlags) signingKeyPath() string { return filepath.Join(f.data, "signing.key") }

// acmeDir holds the ACME account key and certificates (--acme-domain).
func (f *storeFlags) acmeDir() string { return filepath.Join(f.data, "acme") }

// tmpDir is where the server writes request bodies it receives (archive
// uploads): inside the data folder, so that they count against its disk,
// not the system's shared temporary folder, and are cleaned at start.
func (f *storeFlags) tmpDir() string { return filepath.Join(f.data, "tmp") }

// describe names the database for logs and messages, without a password.
func (f *storeFlags) describe() string {
	if isPostgres(f.database) {
		return postgres.Redact(f.database)
	}
	return f.sqlitePath()
}

// sqlitePath is the SQLite file the flags name.
func (f *storeFlags) sqlitePath() string {
	if f.database == "" {
		return filepath.Join(f.data, "glpinet.db")
	}
	return strings.TrimPrefix(strings.TrimPrefix(f.database, "sqlite://"), "sqlite:")
}

// isPostgres reports whether --database names PostgreSQL (a URL, or a
// libpq key=value string); anything else is a SQLite file.
func isPostgres(dsn string) bool { return postgres.IsDSN(dsn) }

// Store is what commands need of a store: every glpinet store, closed
// when the command ends.
type Store interface {
	glpinet.Store
	Close() error
}

// open opens the store the flags name.
func (f *storeFlags) open(ctx context.Context) (Store, error) {
	if isPostgres(f.database) {
		return postgres.Open(ctx, f.database)
	}
	return sqlite.Open(ctx, f.sqlitePath())
}

// dbCommand is an operator command that works on the store: it declares
// its flags on fs, then run parses them, checks the arguments, opens the
// store and closes it afterwards.
type dbCommand struct {
	fs *flag.FlagSet
	sf storeFlags
}

func newDBCommand(name string) *dbCommand {
	c := &dbCommand{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.sf.register(c.fs)
	return c
}

// run parses args, lets check refuse them (before anything is created on
// disk), then calls fn with the open store.
func (c *dbCommand) run(ctx context.Context, args []string, stdout io.Writer, check func(pos []string) error,
	fn func(db Store, pos []string, out cli.Output) error) error {
	pos, err := cli.ParseFlags("glpinetd", c.fs, args)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(pos); err != nil {
			return err
		}
	}
	db, err := c.sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db, pos, cli.Output{W: stdout, JSON: c.sf.json})
}

// nArgs is a check that wants exactly n positional arguments.
func nArgs(n int, usage string) func([]string) error {
	return func(pos []string) error {
		if len(pos) != n {
			return cli.Usagef("%s", usage)
		}
		return nil
	}
}

// oneID is a check that wants exactly one positional ID, stored in id.
func oneID(what, usage string, id *int64) func([]string) error {
	return func(pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("%s", usage)
		}
		var err error
		*id, err = parseID(pos[0], what)
		return err
	}
}
