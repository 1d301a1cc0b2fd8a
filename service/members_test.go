package service_test

import (
	"sync"
	"testing"

	"github.com/glpinet/glpinet"
)

// TestMembers: roles change, members leave, operators act on any account,
// and the last owner stays, even when two owners demote each other at
// once.
func TestMembers(t *testing.T) {
	s, _ := fixture(t)
	ctx := glpinet.WithActor(t.Context(), "test")
	a, owner := &glpinet.Account{Name: "Team"}, &glpinet.User{Email: "owner@team.example", Name: "Owner", PasswordHash: "x"}
	if err := s.Store.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	add := func(email string, role glpinet.UserRole) *glpinet.User {
		u := &glpinet.User{AccountID: a.ID, Email: email, Name: "U", Role: role, PasswordHash: "x"}
		if err := s.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	admin, member := add("admin@team.example", glpinet.RoleAdmin), add("member@team.example", glpinet.RoleMember)
	op, err := s.CreateOperator(ctx, "ops@provider.example", "Ops", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}

	err = s.Leave(ctx, owner)
	if glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("the last owner leaves: %v, want ECONFLICT", err)
	}
	if _, err := s.SetRole(ctx, op, 0, owner.ID, glpinet.RoleMember); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("an operator demotes the last owner: %v, want ECONFLICT", err)
	}
	if _, err := s.SetRole(ctx, admin, 0, member.ID, glpinet.RoleOwner); glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("an admin makes an owner: %v, want EFORBIDDEN", err)
	}
	if err := s.Leave(ctx, op); glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("an operator leaves: %v, want EFORBIDDEN", err)
	}
	if _, err := s.SetRole(ctx, op, 0, op.ID, glpinet.RoleOwner); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("an operator made owner: %v, want ENOTFOUND", err)
	}
	// An operator (account 0: the user's) makes the admin owner.
	if u, err := s.SetRole(ctx, op, 0, admin.ID, glpinet.RoleOwner); err != nil || u.Role != glpinet.RoleOwner {
		t.Fatalf("an operator makes an owner: %+v, %v", u, err)
	}
	if err := s.Leave(ctx, member); err != nil {
		t.Fatalf("a member leaves: %v", err)
	}

	// Two owners demote each other at once: one stays owner.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range [][2]*glpinet.User{{owner, admin}, {admin, owner}} {
		wg.Go(func() { _, errs[i] = s.SetRole(ctx, p[0], 0, p[1].ID, glpinet.RoleMember) })
	}
	wg.Wait()
	users, _, err := s.Store.ListUsers(ctx, a.ID, glpinet.Page{})
	if err != nil {
		t.Fatal(err)
	}
	owners := 0
	for _, u := range users {
		if u.Role == glpinet.RoleOwner {
			owners++
		}
	}
	if owners != 1 || (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two owners demoting each other: %d owners left, errors %v", owners, errs)
	}
	// The one left cannot step down, nor be removed by an operator.
	for _, u := range users {
		if u.Role == glpinet.RoleOwner {
			if _, err := s.SetRole(ctx, u, 0, u.ID, glpinet.RoleAdmin); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
				t.Fatalf("the last owner steps down: %v, want ECONFLICT", err)
			}
			if _, err := s.RemoveMember(ctx, op, a.ID, u.ID); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
				t.Fatalf("an operator removes the last owner: %v, want ECONFLICT", err)
			}
		}
	}
}
