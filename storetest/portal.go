package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// A stand-in for an argon2id hash: the store keeps it as given.
const fakeHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

func newUser(email string) *glpinet.User {
	return &glpinet.User{Email: email, Name: "Jane Doe", PasswordHash: fakeHash}
}

func testUsers(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	a := &glpinet.Account{Name: "ACME IT"}
	owner := newUser("  Jane@Example.COM ")
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || owner.ID == 0 || owner.AccountID != a.ID || owner.Role != glpinet.RoleOwner || owner.Email != "jane@example.com" || owner.Lang != "en" {
		t.Fatalf("signed up %+v / %+v", a, owner)
	}
	subs, _ := s.ListSubscriptions(ctx, a.ID)
	if len(subs) != 1 || subs[0].OfferRef != glpinet.FreeOfferReference {
		t.Fatalf("a signed-up account has subscriptions %+v, want the free one", subs)
	}
	// E-mails are unique without regard to case, and a failed sign-up
	// leaves no account behind.
	before, _ := s.CountAccounts(ctx)
	wantCode(t, s.SignUp(ctx, &glpinet.Account{Name: "Other"}, newUser("JANE@example.com")), glpinet.ECONFLICT)
	if after, _ := s.CountAccounts(ctx); after != before {
		t.Fatalf("a refused sign-up left an account: %d → %d", before, after)
	}
	wantCode(t, s.SignUp(ctx, &glpinet.Account{Name: "Other"}, newUser("not-an-email")), glpinet.EINVALID)

	got, err := s.FindUserByEmail(ctx, "JANE@EXAMPLE.COM")
	if err != nil || got.ID != owner.ID || got.PasswordHash != fakeHash {
		t.Fatalf("FindUserByEmail = %+v, %v", got, err)
	}
	_, err = s.FindUserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, glpinet.ENOTFOUND)

	member := newUser("bob@example.com")
	member.AccountID, member.Role = a.ID, glpinet.RoleMember
	if err := s.CreateUser(ctx, member); err != nil {
		t.Fatal(err)
	}
	op := newUser("ops@provider.example")
	op.Role = glpinet.RoleOperator
	if err := s.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	bad := newUser("x@example.com")
	bad.Role = glpinet.RoleMember // a member needs an account
	wantCode(t, s.CreateUser(ctx, bad), glpinet.EINVALID)
	bad.AccountID = 999
	wantCode(t, s.CreateUser(ctx, bad), glpinet.ENOTFOUND)

	users, _, err := s.ListUsers(ctx, a.ID, glpinet.Page{})
	if err != nil || len(users) != 2 || users[1].Email != "bob@example.com" {
		t.Fatalf("ListUsers = %v, %v", users, err)
	}
	ops, err := s.ListOperators(ctx)
	if err != nil || len(ops) != 1 || ops[0].ID != op.ID || ops[0].AccountID != 0 {
		t.Fatalf("ListOperators = %v, %v", ops, err)
	}

	// Sessions: found until they expire or the password changes.
	sess := &glpinet.Session{Hash: glpinet.HashKey("session-1"), UserID: member.ID, CSRF: "csrf", ExpiresAt: c.t.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	fs, fu, err := s.FindSession(ctx, sess.Hash)
	if err != nil || fs.CSRF != "csrf" || fu.ID != member.ID {
		t.Fatalf("FindSession = %+v %+v %v", fs, fu, err)
	}
	c.t = c.t.Add(2 * time.Hour)
	_, _, err = s.FindSession(ctx, sess.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	sess2 := &glpinet.Session{Hash: glpinet.HashKey("session-2"), UserID: member.ID, CSRF: "x", ExpiresAt: c.t.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, member.ID, fakeHash+"x"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindSession(ctx, sess2.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	wantCode(t, s.SetPassword(ctx, 9999, fakeHash), glpinet.ENOTFOUND)
	sess3 := &glpinet.Session{Hash: glpinet.HashKey("session-3"), UserID: owner.ID, CSRF: "y", ExpiresAt: c.t.Add(time.Hour)}
	s.CreateSession(ctx, sess3)
	if err := s.DeleteSession(ctx, sess3.Hash); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindSession(ctx, sess3.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
}

func testInvitations(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	inv := &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey("gni_code"), Display: "gni_cod", Role: glpinet.RoleAdmin,
		MaxUses: 2, ExpiresAt: c.t.Add(24 * time.Hour), CreatedBy: owner.ID}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateInvitation(ctx, &glpinet.Invitation{AccountID: a.ID, Role: glpinet.RoleOwner, MaxUses: 1, ExpiresAt: c.t}), glpinet.EINVALID)

	got, err := s.AcceptInvitation(ctx, inv.Hash, newUser("first@example.com"))
	if err != nil || got.Uses != 1 {
		t.Fatalf("first acceptance: %+v, %v", got, err)
	}
	u, _ := s.FindUserByEmail(ctx, "first@example.com")
	if u.AccountID != a.ID || u.Role != glpinet.RoleAdmin {
		t.Fatalf("joined user = %+v", u)
	}
	// A refused acceptance (e-mail taken) does not use the invitation.
	_, err = s.AcceptInvitation(ctx, inv.Hash, newUser("owner@example.com"))
	wantCode(t, err, glpinet.ECONFLICT)
	if _, err := s.AcceptInvitation(ctx, inv.Hash, newUser("second@example.com")); err != nil {
		t.Fatal(err)
	}
	_, err = s.AcceptInvitation(ctx, inv.Hash, newUser("third@example.com"))
	wantCode(t, err, glpinet.EINVALID) // used up
	if _, err := s.FindUserByEmail(ctx, "third@example.com"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatal("a used-up invitation created a user")
	}
	_, err = s.AcceptInvitation(ctx, glpinet.HashKey("gni_unknown"), newUser("x@example.com"))
	wantCode(t, err, glpinet.ENOTFOUND)

	// Expiry and revocation.
	exp := &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey("gni_exp"), Role: glpinet.RoleMember, MaxUses: 5, ExpiresAt: c.t.Add(time.Hour), CreatedBy: owner.ID}
	s.CreateInvitation(ctx, exp)
	c.t = c.t.Add(2 * time.Hour)
	_, err = s.AcceptInvitation(ctx, exp.Hash, newUser("late@example.com"))
	wantCode(t, err, glpinet.EINVALID)
	rev := &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey("gni_rev"), Role: glpinet.RoleMember, MaxUses: 5, ExpiresAt: c.t.Add(time.Hour), CreatedBy: owner.ID}
	s.CreateInvitation(ctx, rev)
	if err := s.RevokeInvitation(ctx, a.ID, rev.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RevokeInvitation(ctx, a.ID, rev.ID), glpinet.ECONFLICT)
	wantCode(t, s.RevokeInvitation(ctx, a.ID+1, inv.ID), glpinet.ENOTFOUND) // another account's invitation
	_, err = s.AcceptInvitation(ctx, rev.Hash, newUser("rev@example.com"))
	wantCode(t, err, glpinet.EINVALID)

	list, err := s.ListInvitations(ctx, a.ID)
	if err != nil || len(list) != 3 || list[0].ID != rev.ID || list[2].Uses != 2 {
		t.Fatalf("ListInvitations = %+v, %v", list, err)
	}
	if f, err := s.FindInvitation(ctx, inv.Hash); err != nil || f.ID != inv.ID {
		t.Fatalf("FindInvitation = %+v, %v", f, err)
	}
}

// testInvitationRace: several people take a one-use invitation at once;
// exactly one gets in.
func testInvitationRace(t *testing.T, open Opener) {
	s := open(t, time.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	s.SignUp(ctx, a, owner)
	inv := &glpinet.Invitation{AccountID: a.ID, Hash: glpinet.HashKey("gni_race"), Role: glpinet.RoleMember, MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour), CreatedBy: owner.ID}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = s.AcceptInvitation(ctx, inv.Hash, newUser(fmt.Sprintf("u%d@example.com", i))) })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch glpinet.ErrorCode(err) {
		case "":
			wins++
		case glpinet.EINVALID:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if users, _, _ := s.ListUsers(ctx, a.ID, glpinet.Page{}); wins != 1 || len(users) != 2 {
		t.Fatalf("%d acceptances won and the account has %d users; want 1 and 2", wins, len(users))
	}
}

func testTokens(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	s.SignUp(ctx, a, owner)

	exp := c.t.Add(24 * time.Hour)
	tok := &glpinet.APIToken{UserID: owner.ID, Name: "ci", Hash: glpinet.HashKey("gnt_1"), Display: "gnt_1", Scopes: []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys}, ExpiresAt: &exp}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateToken(ctx, &glpinet.APIToken{UserID: owner.ID, Name: "x", Scopes: []glpinet.TokenScope{"root"}}), glpinet.EINVALID)
	wantCode(t, s.CreateToken(ctx, &glpinet.APIToken{UserID: 999, Name: "x", Hash: glpinet.HashKey("gnt_2"), Scopes: []glpinet.TokenScope{glpinet.ScopeRead}}), glpinet.ENOTFOUND)

	got, u, err := s.FindToken(ctx, tok.Hash)
	if err != nil || u.ID != owner.ID || !got.Has(glpinet.ScopeKeys) || got.Has(glpinet.ScopePublish) {
		t.Fatalf("FindToken = %+v %+v %v", got, u, err)
	}
	used := c.t.Add(time.Minute)
	if err := s.TouchToken(ctx, tok.ID, used); err != nil {
		t.Fatal(err)
	}
	list, _ := s.ListTokens(ctx, owner.ID)
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(used) {
		t.Fatalf("ListTokens = %+v", list)
	}
	c.t = exp
	_, _, err = s.FindToken(ctx, tok.Hash)
	wantCode(t, err, glpinet.ENOTFOUND) // expired
	c.t = c.t.Add(-time.Hour)
	if err := s.RevokeToken(ctx, owner.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindToken(ctx, tok.Hash)
	wantCode(t, err, glpinet.ENOTFOUND) // revoked
	wantCode(t, s.RevokeToken(ctx, owner.ID, tok.ID), glpinet.ECONFLICT)
	wantCode(t, s.RevokeToken(ctx, owner.ID+1, tok.ID), glpinet.ENOTFOUND) // someone else's token
}
