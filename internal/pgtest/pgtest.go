// Package pgtest gives tests a PostgreSQL database of their own, on the
// server named by GLPINET_TEST_POSTGRES (default: the local one, user
// postgres, trust authentication). The tests that need it fail, and do not
// skip, when the server cannot be reached: CI has one.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the server tests use unless GLPINET_TEST_POSTGRES names
// another; its database only serves to create and drop the tests' own.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// BaseDSN returns the server's DSN for tests.
func BaseDSN() string {
	if dsn := os.Getenv("GLPINET_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// NewDatabase creates an empty database for t, dropped (disconnecting
// whoever is still connected) when t ends, and returns its DSN.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := BaseDSN()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("GLPINET_TEST_POSTGRES must be a postgres:// URL, got %q", base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL is needed for this test and cannot be reached at %s (set GLPINET_TEST_POSTGRES to another server): %v", u.Redacted(), err)
	}
	defer admin.Close(context.Background())
	var b [8]byte
	rand.Read(b[:])
	name := "glpinet_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
