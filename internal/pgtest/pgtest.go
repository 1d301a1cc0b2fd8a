// Package pgtest gives tests a PostgreSQL database of their own, on the
// server named by GLPINET_TEST_POSTGRES (default: the local one, user
// postgres, trust authentication). The tests that need it fail, and do not
// skip, when the server cannot be reached: CI has one.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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
	dsn, drop, err := Create()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return dsn
}

// Create creates an empty database and returns its DSN and the function
// that drops it (disconnecting whoever is still connected). It is
// NewDatabase for callers without a testing.TB, such as testscript
// commands.
func Create() (dsn string, drop func() error, err error) {
	base := BaseDSN()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("GLPINET_TEST_POSTGRES must be a postgres:// URL, got %q", base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL is needed for this test and cannot be reached at %s (set GLPINET_TEST_POSTGRES to another server): %v", u.Redacted(), err)
	}
	defer admin.Close(context.Background())
	var b [8]byte
	rand.Read(b[:])
	name := "glpinet_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create test database: %v", err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			return fmt.Errorf("drop test database %s: %v", name, err)
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop test database %s: %v", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
