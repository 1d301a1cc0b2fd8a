package sqlite_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/glpinet/glpinet/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) glpinet.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
		if err != nil {
			t.Fatal(err)
		}
		db.Now = now
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func migrationStates(t *testing.T, path string) []string {
	t.Helper()
	st, err := sqlite.MigrationStatus(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range st {
		out = append(out, string(s.State))
	}
	return out
}

func TestMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "glpinet.db")
	states := migrationStates(t, path)
	for _, s := range states {
		if s != "pending" {
			t.Fatalf("a missing database has migration states %v, want all pending", states)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("MigrationStatus created the database: %v", err)
	}
	res, err := sqlite.Migrate(t.Context(), path)
	if err != nil || len(res) != len(states) {
		t.Fatalf("Migrate = %v, %v; want %d migrations applied", res, err, len(states))
	}
	for _, s := range migrationStates(t, path) {
		if s != "applied" {
			t.Fatalf("after Migrate: migration states %v, want all applied", migrationStates(t, path))
		}
	}
	if res, err := sqlite.Migrate(t.Context(), path); err != nil || len(res) != 0 {
		t.Fatalf("Migrate again = %v, %v; want nothing applied", res, err)
	}
	// Migrate seeds nothing (a database prepared for a copy stays empty);
	// Open does.
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if offers, err := db.ListOffers(t.Context()); err != nil || len(offers) != len(glpinet.DefaultOffers()) {
		t.Fatalf("offers after Open = %v, %v", offers, err)
	}
}

// TestNewerSchemaRefused: a database upgraded by a newer glpinetd is not
// opened by this one.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "glpinet.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := sqlite.Open(t.Context(), path); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("Open on a newer schema: %v, want EINVALID", err)
	}
}

// BenchmarkCreateKeys stores 100,000 keys in one CreateKeys call.
func BenchmarkCreateKeys(b *testing.B) {
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "glpinet.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchmarkCreateKeys(b, db)
}
