package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
)

// TestDatabaseDamaged damages a page of the users table of a real
// database, the way a failing disk would: "glpinetd db check" fails with
// the reason and the remedy, and a server started on it reports the damage
// on /readyz (503), where it used to say ready and answer 500 to every
// login.
func TestDatabaseDamaged(t *testing.T) {
	ctx := glpinet.WithActor(t.Context(), "test")
	sf := storeFlags{data: filepath.Join(t.TempDir(), "data")}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		u := &glpinet.User{AccountID: a.ID, Email: fmt.Sprintf("user%d@example.com", i), Name: fmt.Sprintf("User %d", i), Role: glpinet.RoleMember,
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	check := func(args ...string) (code int, stdout, stderr string) {
		var out, errb bytes.Buffer
		code = run(ctx, append([]string{"db", "check", "--data", sf.data}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, stdout, stderr := check(); code != 0 || !strings.Contains(stdout, "is sound") {
		t.Fatalf("db check of a sound database: status %d, %q, %q", code, stdout, stderr)
	}

	page := testkit.CorruptTable(t, sf.sqlitePath(), "users")
	t.Logf("damaged page %d of the users table", page)

	code, stdout, stderr := check()
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("db check of a damaged database: status %d, stdout %q, stderr %q; want 1 and one line on stderr", code, stdout, stderr)
	}
	for _, want := range []string{"glpinetd: The database file " + sf.sqlitePath() + " is damaged", "glpinetd restore --from DIR --force"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("db check: %q lacks %q", stderr, want)
		}
	}
	t.Log(stderr)

	code, stdout, stderr = check("--json")
	var res dbCheckResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 1 || res.OK || !strings.Contains(res.Problem, "is damaged") || stderr == "" {
		t.Fatalf("db check --json: status %d, %q (%v), stderr %q; want 1, ok false and the problem", code, stdout, err, stderr)
	}

	logs := &syncBuffer{}
	m := &Main{Addr: "127.0.0.1:0", Store: sf, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("the server does not start on a database with a damaged users table: %v", err)
	}
	defer m.Close()
	status, _, body := get(t, m.URL()+"/readyz", nil)
	var checks map[string]string
	if err := json.Unmarshal(body, &checks); err != nil || status != http.StatusServiceUnavailable || !strings.Contains(checks["database"], "damaged") {
		t.Fatalf("/readyz = %d %s, want 503 saying the database is damaged", status, body)
	}
	if strings.Contains(checks["database"], sf.data) {
		t.Errorf("/readyz names the database file: %s", body)
	}
	if !strings.Contains(logs.String(), "database check failed") {
		t.Errorf("no error logged:\n%s", logs)
	}
	t.Logf("/readyz: %s", body)
}
