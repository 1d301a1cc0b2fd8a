package main

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/pgtest"
)

// TestDisableOperator: "glpinetd operator disable", run beside a serving
// glpinetd on the same database, ends the operator's portal session and
// has their API token refused at once; their right password is refused
// as a wrong one is. "operator enable" gives the token back and lets them
// sign in. On SQLite and on PostgreSQL.
func TestDisableOperator(t *testing.T) {
	for _, tc := range []struct {
		name     string
		database func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) { testDisableOperator(t, tc.database(t)) })
	}
}

func testDisableOperator(t *testing.T, database string) {
	ctx := glpinet.WithActor(t.Context(), "test")
	sf := storeFlags{data: filepath.Join(t.TempDir(), "data"), database: database}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const email, password = "ops@provider.example", "operator password"
	hash, _ := auth.HashPassword(password, auth.DefaultParams)
	op := &glpinet.User{Email: email, Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}
	other := &glpinet.User{Email: "other@provider.example", Name: "Other", Role: glpinet.RoleOperator, PasswordHash: hash}
	for _, u := range []*glpinet.User{op, other} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := db.CreateToken(ctx, &glpinet.APIToken{UserID: op.ID, Name: "ops", Hash: auth.HashToken(raw),
		Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	logs := &syncBuffer{}
	m := &Main{Addr: "127.0.0.1:0", Store: sf, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	glpinetd := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args = append(args, "--data", sf.data, "--database", sf.database)
		if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("glpinetd %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	api := &client.API{BaseURL: m.URL(), Token: raw}
	signIn := func(password string) (*browser, int, string) {
		b := newBrowser(t, m.URL())
		b.get("/login")
		status, body := b.post("/login", "email", email, "password", password)
		return b, status, body
	}
	inArea := func(b *browser) bool {
		status, body := b.get("/operator/accounts")
		return status == 200 && !strings.Contains(body, `name="password"`)
	}

	b, status, _ := signIn(password)
	if status != 200 || !inArea(b) {
		t.Fatalf("sign-in before disabling: %d", status)
	}
	if _, err := api.Accounts(t.Context(), "", glpinet.Page{}); err != nil {
		t.Fatalf("token before disabling: %v", err)
	}

	if out := glpinetd("operator", "disable", email); !strings.Contains(out, "is disabled") {
		t.Fatalf("operator disable: %s", out)
	}
	if inArea(b) {
		t.Fatal("the operator's portal session outlived the disabling")
	}
	if _, err := api.Accounts(t.Context(), "", glpinet.Page{}); apiCode(err) != glpinet.EUNAUTHORIZED {
		t.Fatalf("token of a disabled operator: %v, want %s", err, glpinet.EUNAUTHORIZED)
	}
	// The right password is refused exactly as a wrong one.
	_, wrongStatus, wrongBody := signIn("not the password")
	b, status, body := signIn(password)
	if status != wrongStatus || status != 401 || !strings.Contains(body, "Wrong e-mail or password.") || !strings.Contains(wrongBody, "Wrong e-mail or password.") {
		t.Fatalf("sign-in of a disabled operator: %d, wrong password: %d; want both 401 with the same message", status, wrongStatus)
	}
	if inArea(b) {
		t.Fatal("a disabled operator reached the operator area")
	}
	if l := logs.String(); !strings.Contains(l, `level=WARN msg="sign-in refused" reason="user disabled"`) {
		t.Fatalf("no warning for a disabled operator's sign-in in the log:\n%s", l)
	}

	if out := glpinetd("operator", "enable", email); !strings.Contains(out, "is enabled") {
		t.Fatalf("operator enable: %s", out)
	}
	if _, err := api.Accounts(t.Context(), "", glpinet.Page{}); err != nil {
		t.Fatalf("the same token after enabling: %v", err)
	}
	if b, status, _ := signIn(password); status != 200 || !inArea(b) {
		t.Fatalf("sign-in after enabling: %d", status)
	}
}
