package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestVerificationMigration: the users a database holds before
// migration 9 come out of it verified since their creation, so that an
// upgrade stops nobody issuing keys.
func TestVerificationMigration(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "g.db")
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := newProvider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	const created = "2025-01-02T03:04:05.000000000Z"
	if _, err := db.ExecContext(ctx, `INSERT INTO users (account_id, email, name, role, lang, password_hash, created_at) VALUES (NULL, 'old@example.com', 'Old', 'operator', 'en', 'x', ?)`, created); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	var verified sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT email_verified_at FROM users WHERE email = 'old@example.com'`).Scan(&verified); err != nil {
		t.Fatal(err)
	}
	if verified.String != created {
		t.Fatalf("email_verified_at = %v, want %s (created_at)", verified, created)
	}
}
