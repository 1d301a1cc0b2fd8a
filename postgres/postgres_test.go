package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
	"github.com/glpinet/glpinet/storetest"
	"github.com/jackc/pgx/v5"
)

// open opens a store on a new database of its own, closed when t ends.
func open(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) glpinet.Store {
		db := open(t, pgtest.NewDatabase(t))
		db.Now = now
		return db
	})
}

// TestConcurrentOpen starts several replicas on one new database at once:
// the advisory lock lets one migrate while the others wait, then find
// nothing to do.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	const n = 5
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var applied, offers int
	if err := conn.QueryRow(t.Context(), `SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(t.Context(), `SELECT COUNT(*) FROM offers`).Scan(&offers); err != nil {
		t.Fatal(err)
	}
	if want := len(mustStatus(t, dsn)); applied != want || offers != len(glpinet.DefaultOffers()) {
		t.Fatalf("after %d concurrent opens: %d migrations recorded (want %d), %d offers (want %d)", n, applied, want, offers, len(glpinet.DefaultOffers()))
	}
}

func mustStatus(t *testing.T, dsn string) []string {
	t.Helper()
	st, err := postgres.MigrationStatus(t.Context(), dsn)
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
	dsn := pgtest.NewDatabase(t)
	for _, s := range mustStatus(t, dsn) {
		if s != "pending" {
			t.Fatalf("a new database has migration states %v, want all pending", mustStatus(t, dsn))
		}
	}
	res, err := postgres.Migrate(t.Context(), dsn)
	if err != nil || len(res) == 0 {
		t.Fatalf("Migrate = %v, %v", res, err)
	}
	for _, s := range mustStatus(t, dsn) {
		if s != "applied" {
			t.Fatalf("after Migrate: migration states %v, want all applied", mustStatus(t, dsn))
		}
	}
	if res, err := postgres.Migrate(t.Context(), dsn); err != nil || len(res) != 0 {
		t.Fatalf("Migrate again = %v, %v; want nothing applied", res, err)
	}
	// Migrate seeds nothing (a database prepared for a copy stays empty);
	// Open does.
	db := open(t, dsn)
	if offers, err := db.ListOffers(t.Context()); err != nil || len(offers) != len(glpinet.DefaultOffers()) {
		t.Fatalf("offers after Open = %v, %v", offers, err)
	}
}

// TestUnreachable: opening a server that does not answer is EUNAVAILABLE.
func TestUnreachable(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("Open on a closed port: %v, want EUNAVAILABLE", err)
	}
}

// TestNewerSchemaRefused: a database upgraded by a newer glpinetd is not
// opened by this one (downgrade, or an old replica restarted during a
// rolling upgrade).
func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	if _, err := postgres.Migrate(t.Context(), dsn); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, true)"); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(t.Context(), dsn); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("Open on a newer schema: %v, want EINVALID", err)
	}
	if _, err := postgres.Migrate(t.Context(), dsn); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("Migrate on a newer schema: %v, want EINVALID", err)
	}
}
