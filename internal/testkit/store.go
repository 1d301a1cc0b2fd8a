package testkit

import (
	"path/filepath"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
)

// SignedUp opens a fresh SQLite store, closed when the test ends, with one
// account whose owner is owner@example.com (password hash "x": the tests
// using it do not log in by password).
func SignedUp(t testing.TB) (*sqlite.DB, *glpinet.User) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	owner := &glpinet.User{Email: "owner@example.com", Name: "Owner", PasswordHash: "x"}
	if err := db.SignUp(t.Context(), &glpinet.Account{Name: "Acme"}, owner); err != nil {
		t.Fatal(err)
	}
	return db, owner
}
