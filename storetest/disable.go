package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testDisableUsers: a disabled user's sessions end and their tokens are
// refused; enabled again, the tokens work, the sessions stay ended.
func testDisableUsers(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	tok := &glpinet.APIToken{UserID: owner.ID, Name: "ci", Hash: glpinet.HashKey("gnt_disable"), Display: "gnt_d", Scopes: []glpinet.TokenScope{glpinet.ScopeRead}}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	sess := &glpinet.Session{Hash: glpinet.HashKey("session-disable"), UserID: owner.ID, CSRF: "csrf", ExpiresAt: c.t.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}

	u, changed, err := s.SetUserDisabled(ctx, owner.ID, true)
	if err != nil || !changed || u.DisabledAt == nil || !u.DisabledAt.Equal(c.t) || u.Email != owner.Email {
		t.Fatalf("SetUserDisabled(true) = %+v, %v, %v", u, changed, err)
	}
	_, _, err = s.FindSession(ctx, sess.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, _, err = s.FindToken(ctx, tok.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)
	got, err := s.FindUserByEmail(ctx, owner.Email)
	if err != nil || got.DisabledAt == nil || !got.DisabledAt.Equal(c.t) {
		t.Fatalf("FindUserByEmail of a disabled user = %+v, %v", got, err)
	}
	if users, _, _ := s.ListUsers(ctx, a.ID, glpinet.Page{}); len(users) != 1 || !users[0].Disabled() {
		t.Fatalf("ListUsers = %+v, want the owner disabled", users)
	}
	// A session made while the user is disabled (a sign-in racing the
	// disabling) is not found either.
	late := &glpinet.Session{Hash: glpinet.HashKey("session-late"), UserID: owner.ID, CSRF: "x", ExpiresAt: c.t.Add(time.Hour)}
	if err := s.CreateSession(ctx, late); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindSession(ctx, late.Hash)
	wantCode(t, err, glpinet.ENOTFOUND)

	// Disabling again changes nothing and records nothing.
	before := countAudit(t, s, "user.disable")
	c.t = c.t.Add(time.Minute)
	u, changed, err = s.SetUserDisabled(ctx, owner.ID, true)
	if err != nil || changed || u.DisabledAt == nil || u.DisabledAt.Equal(c.t) {
		t.Fatalf("disabling twice = %+v, %v, %v; want unchanged, the first instant kept", u, changed, err)
	}
	if after := countAudit(t, s, "user.disable"); after != before || after != 1 {
		t.Fatalf("user.disable events: %d then %d, want 1", before, after)
	}

	u, changed, err = s.SetUserDisabled(ctx, owner.ID, false)
	if err != nil || !changed || u.DisabledAt != nil {
		t.Fatalf("SetUserDisabled(false) = %+v, %v, %v", u, changed, err)
	}
	if ft, fu, err := s.FindToken(ctx, tok.Hash); err != nil || ft.ID != tok.ID || fu.ID != owner.ID || fu.Disabled() {
		t.Fatalf("FindToken after enabling = %+v %+v %v", ft, fu, err)
	}
	_, _, err = s.FindSession(ctx, sess.Hash)
	wantCode(t, err, glpinet.ENOTFOUND) // sessions ended with the disabling
	if _, fu, err := s.FindSession(ctx, late.Hash); err != nil || fu.ID != owner.ID {
		t.Fatalf("FindSession of an enabled user = %+v, %v", fu, err)
	}
	if _, changed, err := s.SetUserDisabled(ctx, owner.ID, false); err != nil || changed {
		t.Fatalf("enabling twice: changed %v, %v", changed, err)
	}
	if n := countAudit(t, s, "user.enable"); n != 1 {
		t.Fatalf("user.enable events: %d, want 1", n)
	}
	_, _, err = s.SetUserDisabled(ctx, 9999, true)
	wantCode(t, err, glpinet.ENOTFOUND)
	_, _, err = s.SetUserDisabled(ctx, 9999, false)
	wantCode(t, err, glpinet.ENOTFOUND)
}

// testLastOperator: the last enabled operator cannot be disabled, even by
// two transactions disabling the last two at once.
func testLastOperator(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	ops := make([]*glpinet.User, 3)
	for i := range ops {
		ops[i] = newUser("ops" + string(rune('a'+i)) + "@provider.example")
		ops[i].Role = glpinet.RoleOperator
		if err := s.CreateUser(ctx, ops[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.SetUserDisabled(ctx, ops[0].ID, true); err != nil {
		t.Fatal(err)
	}
	// Two left: disabling both at once leaves one of them enabled.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, _, errs[i] = s.SetUserDisabled(ctx, ops[i+1].ID, true) })
	}
	wg.Wait()
	var refused int
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, glpinet.ECONFLICT)
			refused++
		}
	}
	list, err := s.ListOperators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var enabled []*glpinet.User
	for _, u := range list {
		if !u.Disabled() {
			enabled = append(enabled, u)
		}
	}
	if refused != 1 || len(enabled) != 1 {
		t.Fatalf("%d of 2 concurrent disablings refused, %d operators enabled; want 1 and 1", refused, len(enabled))
	}
	_, _, err = s.SetUserDisabled(ctx, enabled[0].ID, true)
	wantCode(t, err, glpinet.ECONFLICT)
	// Disabling the last one is refused, but asking for a disabled
	// operator to stay disabled is not an error.
	if _, changed, err := s.SetUserDisabled(ctx, ops[0].ID, true); err != nil || changed {
		t.Fatalf("disabling a disabled operator: changed %v, %v", changed, err)
	}
	// Customers' users are not operators: they may all be disabled.
	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	s.SignUp(ctx, a, owner)
	if _, _, err := s.SetUserDisabled(ctx, owner.ID, true); err != nil {
		t.Fatal(err)
	}
	// With another operator enabled, the last one may go.
	if _, _, err := s.SetUserDisabled(ctx, ops[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetUserDisabled(ctx, enabled[0].ID, true); err != nil {
		t.Fatal(err)
	}
}

// countAudit counts the audit events of action.
func countAudit(t *testing.T, s glpinet.Store, action string) int {
	t.Helper()
	events, _, err := s.ListAuditEvents(ctxFor(t), glpinet.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}
