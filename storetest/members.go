package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// memberAccount signs up an account whose owner is owner@<domain> and adds
// an admin and a member.
func memberAccount(t *testing.T, s glpinet.Store, domain string) (a *glpinet.Account, owner, admin, member *glpinet.User) {
	t.Helper()
	ctx := ctxFor(t)
	a, owner = &glpinet.Account{Name: domain}, newUser("owner@"+domain)
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	admin, member = newUser("admin@"+domain), newUser("member@"+domain)
	admin.Role, member.Role = glpinet.RoleAdmin, glpinet.RoleMember
	for _, u := range []*glpinet.User{admin, member} {
		u.AccountID = a.ID
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return a, owner, admin, member
}

// testMembers: who may change whose role or remove whom; a removed user's
// sessions and tokens are gone with them; the last owner stays.
func testMembers(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a, owner, admin, member := memberAccount(t, s, "acme.example")
	b, ownerB, _, memberB := memberAccount(t, s, "other.example")
	op := newUser("ops@provider.example")
	op.Role = glpinet.RoleOperator
	if err := s.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	change := func(by, u *glpinet.User, role glpinet.UserRole, remove bool) (*glpinet.User, bool, error) {
		return s.ChangeMember(ctx, glpinet.MemberChange{AccountID: a.ID, UserID: u.ID, ByUserID: by.ID, Role: role, Remove: remove})
	}
	refused := []struct {
		name   string
		by, u  *glpinet.User
		role   glpinet.UserRole
		remove bool
		code   string
	}{
		{"a member changes a role", member, admin, glpinet.RoleMember, false, glpinet.EFORBIDDEN},
		{"a member removes someone", member, admin, "", true, glpinet.EFORBIDDEN},
		{"a member promotes themselves", member, member, glpinet.RoleAdmin, false, glpinet.EFORBIDDEN},
		{"an admin makes an owner", admin, member, glpinet.RoleOwner, false, glpinet.EFORBIDDEN},
		{"an admin makes themselves owner", admin, admin, glpinet.RoleOwner, false, glpinet.EFORBIDDEN},
		{"an admin demotes the owner", admin, owner, glpinet.RoleMember, false, glpinet.EFORBIDDEN},
		{"an admin removes the owner", admin, owner, "", true, glpinet.EFORBIDDEN},
		{"another account's owner", ownerB, member, glpinet.RoleAdmin, false, glpinet.EFORBIDDEN},
		{"another account's user", owner, memberB, glpinet.RoleAdmin, false, glpinet.ENOTFOUND},
		{"an operator as a member", owner, op, glpinet.RoleMember, false, glpinet.ENOTFOUND},
		{"an unknown user", owner, &glpinet.User{ID: 9999}, glpinet.RoleMember, false, glpinet.ENOTFOUND},
		{"an unknown role", owner, member, "operator", false, glpinet.EINVALID},
		{"the last owner demotes themselves", owner, owner, glpinet.RoleAdmin, false, glpinet.ECONFLICT},
		{"the last owner leaves", owner, owner, "", true, glpinet.ECONFLICT},
		{"an operator demotes the last owner", op, owner, glpinet.RoleAdmin, false, glpinet.ECONFLICT},
		{"an operator removes the last owner", op, owner, "", true, glpinet.ECONFLICT},
	}
	for _, tc := range refused {
		_, _, err := change(tc.by, tc.u, tc.role, tc.remove)
		if glpinet.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if n := countAudit(t, s, "user.role") + countAudit(t, s, "user.remove") + countAudit(t, s, "user.leave"); n != 0 {
		t.Fatalf("%d audit events for refused changes", n)
	}

	// An admin promotes a member to admin, an owner makes them owner: now
	// the first owner may step down.
	if u, changed, err := change(admin, member, glpinet.RoleAdmin, false); err != nil || !changed || u.Role != glpinet.RoleAdmin {
		t.Fatalf("admin promotes member: %+v, %v, %v", u, changed, err)
	}
	if _, changed, err := change(admin, member, glpinet.RoleAdmin, false); err != nil || changed {
		t.Fatalf("the same role again: changed %v, %v; want nothing changed", changed, err)
	}
	if _, _, err := change(owner, member, glpinet.RoleOwner, false); err != nil {
		t.Fatal(err)
	}
	if u, _, err := change(owner, owner, glpinet.RoleMember, false); err != nil || u.Role != glpinet.RoleMember {
		t.Fatalf("an owner steps down beside another: %+v, %v", u, err)
	}
	if got, _ := s.FindUserByID(ctx, owner.ID); got.Role != glpinet.RoleMember {
		t.Fatalf("stored role %q, want member", got.Role)
	}
	events, _, err := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "user.role"})
	if err != nil || len(events) != 3 || events[0].Subject != glpinet.AccountSubject(a.ID) || events[0].Actor != "test:storetest" ||
		events[0].Details != glpinet.UserSubject(owner.ID)+" owner@acme.example owner → member" {
		t.Fatalf("user.role events = %+v, %v", events, err)
	}

	// Removing a user deletes them with their sessions and tokens, at once.
	tok := &glpinet.APIToken{UserID: admin.ID, Name: "ci", Hash: glpinet.HashKey("gnt_member"), Display: "gnt_m", Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin}}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	sess := &glpinet.Session{Hash: glpinet.HashKey("session-member"), UserID: admin.ID, CSRF: "csrf", ExpiresAt: c.t.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if u, changed, err := change(member, admin, "", true); err != nil || !changed || u.Email != admin.Email {
		t.Fatalf("an owner removes an admin: %+v, %v, %v", u, changed, err)
	}
	_, _, err = s.FindSession(ctx, sess.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, _, err = s.FindToken(ctx, tok.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, err = s.FindUserByID(ctx, admin.ID)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, _, err = change(member, admin, "", true)
	wantCode(t, err, glpinet.ENOTFOUND)
	// The e-mail is free again: the person may be invited back.
	back := newUser(admin.Email)
	back.AccountID, back.Role = a.ID, glpinet.RoleMember
	if err := s.CreateUser(ctx, back); err != nil {
		t.Fatalf("the removed user's e-mail again: %v", err)
	}
	// A member leaves; an operator removes a user of any account.
	if _, _, err := change(back, back, "", true); err != nil {
		t.Fatalf("a member leaves: %v", err)
	}
	if _, _, err := s.ChangeMember(ctx, glpinet.MemberChange{AccountID: b.ID, UserID: memberB.ID, ByUserID: op.ID, Remove: true}); err != nil {
		t.Fatalf("an operator removes a member: %v", err)
	}
	if n := countAudit(t, s, "user.remove"); n != 2 {
		t.Fatalf("%d user.remove events, want 2", n)
	}
	if events, _, _ := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "user.leave"}); len(events) != 1 ||
		events[0].Details != glpinet.UserSubject(back.ID)+" admin@acme.example member" {
		t.Fatalf("user.leave events = %+v", events)
	}
	users, _, err := s.ListUsers(ctx, a.ID, glpinet.Page{})
	if err != nil || len(users) != 2 {
		t.Fatalf("ListUsers = %+v, %v; want the first owner (now member) and the new owner", users, err)
	}
}

// testLastOwnerRace: two owners demoting each other, removing each other,
// or both leaving, at the same time leave one owner.
func testLastOwnerRace(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ctx := ctxFor(t)
	for i, tc := range []struct {
		name   string
		remove bool
		self   bool // each changes themselves rather than the other
	}{{"demote each other", false, false}, {"remove each other", true, false}, {"both leave", true, true}} {
		a, owner, second, _ := memberAccount(t, s, fmt.Sprintf("race%d.example", i))
		if _, _, err := s.ChangeMember(ctx, glpinet.MemberChange{AccountID: a.ID, UserID: second.ID, ByUserID: owner.ID, Role: glpinet.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		pairs := [][2]*glpinet.User{{owner, second}, {second, owner}}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, p := range pairs {
			target := p[1]
			if tc.self {
				target = p[0]
			}
			wg.Go(func() {
				_, _, errs[i] = s.ChangeMember(ctx, glpinet.MemberChange{AccountID: a.ID, UserID: target.ID, ByUserID: p[0].ID,
					Role: glpinet.RoleMember, Remove: tc.remove})
			})
		}
		wg.Wait()
		users, _, err := s.ListUsers(ctx, a.ID, glpinet.Page{})
		if err != nil {
			t.Fatal(err)
		}
		owners := 0
		for _, u := range users {
			if u.Role == glpinet.RoleOwner {
				owners++
			}
		}
		// One change wins; the other is refused, as the last owner's or,
		// when the winner demoted or removed its asker, as no longer
		// theirs to make.
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				if code := glpinet.ErrorCode(err); code != glpinet.ECONFLICT && code != glpinet.EFORBIDDEN {
					t.Errorf("%s: the refused change: %v", tc.name, err)
				}
			}
		}
		if owners != 1 || failed != 1 {
			t.Fatalf("%s: %d owners left, %d of 2 changes refused (%v); want 1 and 1", tc.name, owners, failed, errs)
		}
	}
}
