package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestIssueWaitsForSuspension: a key issued while a suspension is being
// committed by another replica waits for it, then is refused. Reading the
// account's state without a lock would see it still active (READ
// COMMITTED) and issue a key after the suspension committed.
func TestIssueWaitsForSuspension(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn)
	ctx := glpinet.WithActor(t.Context(), "test:postgres")
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), `UPDATE accounts SET state = 'suspended' WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		raw, _ := glpinet.GenerateKey()
		done <- db.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)})
	}()
	// CreateKey must wait for the suspension's lock, not be done.
	for waiting := 0; waiting == 0; {
		select {
		case err := <-done:
			t.Fatalf("CreateKey during an uncommitted suspension did not wait for it: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("CreateKey once the suspension committed: %v, want EFORBIDDEN", err)
	}
}
