package sqlite_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/sqlite"
)

// seedKeys fills a new database at path with an account and n keys, and
// closes it.
func seedKeys(t *testing.T, path string, n int) {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	keys := make([]*glpinet.RegistrationKey, n)
	for i := range keys {
		h := glpinet.HashKey("gnk_check_" + strconv.Itoa(i))
		keys[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: h, Prefix: "gnk_check"}
	}
	if err := db.CreateKeys(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("Check of a sound database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheck damages one page of a table and expects Check, CheckFile and
// Ping to say so, with the remedy; a sound file passes all three.
func TestCheck(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "glpinet.db")
	seedKeys(t, path, 3000)
	if err := sqlite.CheckFile(ctx, path); err != nil {
		t.Fatalf("CheckFile of a sound database: %v", err)
	}
	page := testkit.CorruptTable(t, path, "registration_keys")
	t.Logf("damaged page %d", page)

	wantDamaged := func(what string, err error, path string) {
		t.Helper()
		if glpinet.ErrorCode(err) != glpinet.EINTERNAL {
			t.Fatalf("%s = %v, want EINTERNAL", what, err)
		}
		msg := glpinet.ErrorMessage(err)
		for _, want := range []string{"database file " + path, "is damaged", "glpinetd restore --from DIR"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q lacks %q", what, msg, want)
			}
		}
	}
	wantDamaged("CheckFile", sqlite.CheckFile(ctx, path), path)

	// The store opens (the schema and the migrations' table are sound),
	// answers Ping until a check has run, and not after.
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping before any check: %v", err)
	}
	wantDamaged("Check", db.Check(ctx), path)
	err = db.Ping(ctx)
	if glpinet.ErrorCode(err) != glpinet.EINTERNAL || !strings.Contains(glpinet.ErrorMessage(err), "damaged") {
		t.Fatalf("Ping after a failed check = %v, want EINTERNAL saying the file is damaged", err)
	}
	if strings.Contains(glpinet.ErrorMessage(err), path) {
		t.Errorf("Ping's message %q names the file: it is shown on /readyz", glpinet.ErrorMessage(err))
	}
}

// TestCheckNotADatabase: a file whose first page is gone does not open
// as a store, and both the error and CheckFile say it is damaged.
func TestCheckNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "glpinet.db")
	seedKeys(t, path, 10)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("this is not the SQLite header"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for name, err := range map[string]error{
		"CheckFile": sqlite.CheckFile(t.Context(), path),
		"Open":      openErr(t, path),
	} {
		if glpinet.ErrorCode(err) != glpinet.EINTERNAL || !strings.Contains(glpinet.ErrorMessage(err), "is damaged") {
			t.Errorf("%s = %v, want EINTERNAL saying the file is damaged", name, err)
		}
	}
}

func openErr(t *testing.T, path string) error {
	db, err := sqlite.Open(t.Context(), path)
	if err == nil {
		db.Close()
	}
	return err
}
