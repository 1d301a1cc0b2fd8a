package main

import (
	"context"
	"flag"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
)

// storeFlags choose where the data lives; every command takes them.
type storeFlags struct {
	data     string
	database string
	json     bool
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", env("GLPINET_DATA", "data"), "data directory: database, archives, signing key (env GLPINET_DATA)")
	fs.StringVar(&f.database, "database", env("GLPINET_DATABASE", ""), "database: a SQLite file path or sqlite:PATH (default DATA/glpinet.db; env GLPINET_DATABASE)")
	fs.BoolVar(&f.json, "json", false, "print results as JSON")
}

func (f *storeFlags) archiveDir() string     { return filepath.Join(f.data, "archives") }
func (f *storeFlags) signingKeyPath() string { return filepath.Join(f.data, "signing.key") }

// open opens the store the flags name.
func (f *storeFlags) open(ctx context.Context) (*sqlite.DB, error) {
	dsn := f.database
	switch {
	case dsn == "":
		dsn = filepath.Join(f.data, "glpinet.db")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil, glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "PostgreSQL is not supported by this build yet; use a SQLite path")
	}
	dsn = strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
	return sqlite.Open(ctx, dsn)
}
