package main

import (
	"fmt"
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

// TestMembers: against a serving glpinetd, on SQLite and on PostgreSQL,
// a removed member's live portal session and API token are refused at
// once; roles change through the API and the portal; the last owner can
// neither leave nor be demoted; a member leaves from the portal; an
// operator changes any account's members, audited.
func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		database func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) { testMembers(t, tc.database(t)) })
	}
}

// memberFixture is a serving glpinetd with one account whose users sign
// in with one password.
type memberFixture struct {
	t       *testing.T
	m       *Main
	db      glpinet.Store
	account *glpinet.Account
	hash    string // of memberPassword, made once: argon2id is slow
}

const memberPassword = "a long member password"

func newMemberFixture(t *testing.T, database string) *memberFixture {
	ctx := glpinet.WithActor(t.Context(), "test")
	sf := storeFlags{data: filepath.Join(t.TempDir(), "data"), database: database}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hash, _ := auth.HashPassword(memberPassword, auth.DefaultParams)
	a := &glpinet.Account{Name: "Team"}
	if err := db.SignUp(ctx, a, &glpinet.User{Email: "owner@team.example", Name: "Owner", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	m := &Main{Addr: "127.0.0.1:0", Store: sf, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &memberFixture{t: t, m: m, db: db, account: a, hash: hash}
}

// user adds a user of the account (or an operator, account 0) with an
// admin-scoped token, and signs them in.
func (f *memberFixture) user(email string, account int64, role glpinet.UserRole) (*glpinet.User, *browser, *client.API) {
	f.t.Helper()
	ctx := glpinet.WithActor(f.t.Context(), "test")
	u, err := f.db.FindUserByEmail(ctx, email)
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		u = &glpinet.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, AccountID: account, PasswordHash: f.hash}
		err = f.db.CreateUser(ctx, u)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := f.db.CreateToken(ctx, &glpinet.APIToken{UserID: u.ID, Name: "t", Hash: auth.HashToken(raw), Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}}); err != nil {
		f.t.Fatal(err)
	}
	b := newBrowser(f.t, f.m.URL())
	b.get("/login")
	if status, _ := b.post("/login", "email", email, "password", memberPassword); status != 200 {
		f.t.Fatalf("sign-in of %s: %d", email, status)
	}
	return u, b, &client.API{BaseURL: f.m.URL(), Token: raw}
}

// signedIn reports whether b's session still reaches the members page.
func signedIn(b *browser) bool {
	status, body := b.get("/members")
	return status == 200 && !strings.Contains(body, `name="password"`)
}

func testMembers(t *testing.T, database string) {
	f := newMemberFixture(t, database)
	ctx := t.Context()
	owner, ownerB, ownerAPI := f.user("owner@team.example", f.account.ID, glpinet.RoleOwner)
	member, memberB, memberAPI := f.user("member@team.example", f.account.ID, glpinet.RoleMember)
	op, opB, opAPI := f.user("ops@provider.example", 0, glpinet.RoleOperator)

	// The API: a role, the last owner kept, a member cannot manage.
	if u, err := ownerAPI.SetRole(ctx, member.ID, glpinet.RoleAdmin); err != nil || u.Role != glpinet.RoleAdmin {
		t.Fatalf("SetRole: %+v, %v", u, err)
	}
	if err := ownerAPI.Leave(ctx); apiCode(err) != glpinet.ECONFLICT || !strings.Contains(err.Error(), "last owner") {
		t.Fatalf("the last owner leaves: %v, want %s saying why", err, glpinet.ECONFLICT)
	}
	if _, err := memberAPI.SetRole(ctx, owner.ID, glpinet.RoleMember); apiCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("an admin demotes the owner: %v, want %s", err, glpinet.EFORBIDDEN)
	}
	if _, err := opAPI.SetRole(ctx, owner.ID, glpinet.RoleAdmin); apiCode(err) != glpinet.ECONFLICT {
		t.Fatalf("an operator demotes the last owner: %v, want %s", err, glpinet.ECONFLICT)
	}
	if err := ownerAPI.RemoveUser(ctx, op.ID); apiCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("an owner removes an operator: %v, want %s", err, glpinet.ENOTFOUND)
	}

	// Removed through the API: the live session and the token are refused
	// at once.
	if !signedIn(memberB) {
		t.Fatal("the member's session before the removal")
	}
	if _, err := memberAPI.Me(ctx); err != nil {
		t.Fatalf("the member's token before the removal: %v", err)
	}
	if err := ownerAPI.RemoveUser(ctx, member.ID); err != nil {
		t.Fatalf("RemoveUser: %v", err)
	}
	if signedIn(memberB) {
		t.Fatal("the removed member's portal session outlived the removal")
	}
	if _, err := memberAPI.Me(ctx); apiCode(err) != glpinet.EUNAUTHORIZED {
		t.Fatalf("the removed member's token: %v, want %s", err, glpinet.EUNAUTHORIZED)
	}

	// The portal: the same e-mail joins again; the owner makes them
	// owner, then removes them after the confirmation page.
	member, memberB, memberAPI = f.user("member@team.example", f.account.ID, glpinet.RoleMember)
	ownerB.get("/members")
	if status, body := ownerB.post(fmt.Sprintf("/members/%d/role", member.ID), "role", "owner"); status != 200 || !strings.Contains(body, "The role is changed.") {
		t.Fatalf("role change in the portal: %d\n%s", status, body)
	}
	status, body := ownerB.get(fmt.Sprintf("/members/%d/remove", member.ID))
	if status != 200 || !strings.Contains(body, "member@team.example") || !strings.Contains(body, "They lose access at once") {
		t.Fatalf("the removal's confirmation page: %d\n%s", status, body)
	}
	if !signedIn(memberB) {
		t.Fatal("the confirmation page removed the member")
	}
	if status, body := ownerB.post(fmt.Sprintf("/members/%d/remove", member.ID)); status != 200 || !strings.Contains(body, "The user is removed") {
		t.Fatalf("removal in the portal: %d\n%s", status, body)
	}
	if signedIn(memberB) {
		t.Fatal("the member removed in the portal kept their session")
	}
	if _, err := memberAPI.Me(ctx); apiCode(err) != glpinet.EUNAUTHORIZED {
		t.Fatalf("the token of the member removed in the portal: %v", err)
	}

	// The last owner's "leave" is refused, saying why; a member leaves.
	ownerB.get("/members/leave")
	if status, body := ownerB.post("/members/leave"); status != 400 || !strings.Contains(body, "last owner") {
		t.Fatalf("the last owner leaves in the portal: %d\n%s", status, body)
	}
	_, memberB, memberAPI = f.user("member@team.example", f.account.ID, glpinet.RoleMember)
	if status, body := memberB.get("/members"); status != 200 || strings.Contains(body, "/role") || !strings.Contains(body, `href="/members/leave"`) {
		t.Fatalf("a member's members page: %d, role forms or no leave link\n%s", status, body)
	}
	memberB.get("/members/leave")
	if status, body := memberB.post("/members/leave"); status != 200 || !strings.Contains(body, "You left the account") {
		t.Fatalf("a member leaves: %d\n%s", status, body)
	}
	if signedIn(memberB) {
		t.Fatal("the member who left kept their session")
	}
	if _, err := memberAPI.Me(ctx); apiCode(err) != glpinet.EUNAUTHORIZED {
		t.Fatalf("the token of a member who left: %v", err)
	}

	// An operator changes the account's members from the operator area.
	member, _, _ = f.user("member@team.example", f.account.ID, glpinet.RoleMember)
	base := fmt.Sprintf("/operator/accounts/%d/members", f.account.ID)
	if status, body := opB.get(base); status != 200 || !strings.Contains(body, "member@team.example") {
		t.Fatalf("the operator's members page: %d", status)
	}
	if status, body := opB.post(fmt.Sprintf("%s/%d/role", base, member.ID), "role", "admin"); status != 200 || !strings.Contains(body, "The role is changed.") {
		t.Fatalf("an operator changes a role: %d\n%s", status, body)
	}
	if status, _ := opB.post(fmt.Sprintf("%s/%d/remove", base, member.ID)); status != 200 {
		t.Fatalf("an operator removes a member: %d", status)
	}
	if users, _, _ := f.db.ListUsers(ctx, f.account.ID, glpinet.Page{}); len(users) != 1 || users[0].ID != owner.ID {
		t.Fatalf("users left: %+v, want the owner alone", users)
	}

	// Every change is in the audit log, with who made it.
	events, err := opAPI.Audit(ctx, glpinet.AuditFilter{Subject: glpinet.AccountSubject(f.account.ID)})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string][]string{}
	for _, e := range events.Data {
		actions[e.Action] = append(actions[e.Action], e.Actor)
	}
	if len(actions["user.role"]) != 3 || len(actions["user.remove"]) != 3 || len(actions["user.leave"]) != 1 {
		t.Fatalf("audit: %v", actions)
	}
	for _, actor := range actions["user.remove"] {
		if actor == "system" || actor == "" {
			t.Fatalf("a removal without its actor: %v", actions)
		}
	}
}
