package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"
)

// TestSIGHUPReadsTheDatabaseAgain revokes a key behind the server's back
// (plain SQL, no change-feed entry, as a hand-made fix or a restore would)
// and checks that the server keeps its cached verdict until SIGHUP, then
// answers from the database, still running: on a server without TLS the
// signal used to end the process.
func TestSIGHUPReadsTheDatabaseAgain(t *testing.T) {
	ts := startServer(t, nil)
	glpi := ts.glpi("standard", "10.0.16")
	if got := validationCode(t, ts); got != "VALID" {
		t.Fatalf("before: %s", got)
	}

	db, err := sql.Open("sqlite", filepath.Join(ts.dir, "data", "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE registration_keys SET revoked_at = created_at
		WHERE account_id = (SELECT id FROM accounts WHERE name = 'Customer standard')`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("revoked %d keys", n)
	}
	if got := validationCode(t, ts); got != "VALID" {
		t.Fatalf("the cache saw a change no feed announced (%s): the test proves nothing", got)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if got := validationCode(t, ts); got != "REVOKED" {
			return fmt.Errorf("after SIGHUP the key is %s, want REVOKED", got)
		}
		return nil
	})
	if !strings.Contains(ts.logs.String(), "SIGHUP: reading the database again") {
		t.Errorf("no log line for SIGHUP:\n%s", ts.logs.String())
	}
	if _, _, err := glpi.RegistrationInfo(t.Context()); err != nil {
		t.Fatalf("the server stopped answering after SIGHUP: %v", err)
	}
}

// validationCode is what the server tells GLPI of the standard key.
func validationCode(t *testing.T, ts *testServer) string {
	t.Helper()
	info, _, err := ts.glpi("standard", "10.0.16").RegistrationInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.Code
}
