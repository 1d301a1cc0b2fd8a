package storetest

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testSecurityNotices: creating an API token mails its user, revoking a
// registration key mails the account's enabled owners (not its admins nor
// a disabled owner), each in the recipient's language and in the
// transaction of the change.
func testSecurityNotices(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := glpinet.WithActor(ctxFor(t), "user:1 jane@example.com")
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("jane@example.com")
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	co := newUser("co-owner@example.com")
	co.AccountID, co.Role, co.Lang = a.ID, glpinet.RoleOwner, "fr"
	admin := newUser("admin@example.com")
	admin.AccountID, admin.Role = a.ID, glpinet.RoleAdmin
	gone := newUser("gone@example.com")
	gone.AccountID, gone.Role = a.ID, glpinet.RoleOwner
	for _, u := range []*glpinet.User{co, admin, gone} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.SetUserDisabled(ctx, gone.ID, true); err != nil {
		t.Fatal(err)
	}

	tok := &glpinet.APIToken{UserID: admin.ID, Name: "ci", Hash: glpinet.HashKey("gnt_notice"), Display: "gnt_notice",
		Scopes: []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys}}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	k := &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey("gnk_notice"), Prefix: "gnk_notice", Label: "production"}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}

	mails, err := s.ClaimMails(ctx, c.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mails {
		line := m.Kind + " " + m.To + " " + m.Lang
		switch m.Kind {
		case glpinet.MailKindTokenCreated:
			line += " " + m.Data["token"] + " " + m.Data["scopes"]
		case glpinet.MailKindKeyRevoked:
			line += " " + m.Data["key"] + " " + m.Data["label"] + " by " + m.Data["by"]
		}
		got = append(got, line)
	}
	sort.Strings(got)
	want := []string{
		"key-revoked co-owner@example.com fr gnk_notice production by user:1 jane@example.com",
		"key-revoked jane@example.com en gnk_notice production by user:1 jane@example.com",
		"token-created admin@example.com en ci read, keys",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
