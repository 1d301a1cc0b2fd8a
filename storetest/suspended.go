package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testSuspendedIssuing checks that a suspended account gets no new
// credentials, whichever surface asks: no key issued, rotated or bulk
// issued, no API token for its users; operators are not concerned, and
// revoking still works.
func testSuspendedIssuing(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	a := &glpinet.Account{Name: "ACME"}
	owner := newUser("owner@example.com")
	if err := s.SignUp(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	other := mustAccount(t, s, "Globex")
	_, k := mustKey(t, s, a.ID)
	_, spare := mustKey(t, s, a.ID)
	op := newUser("ops@provider.example")
	op.Role = glpinet.RoleOperator
	if err := s.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountState(ctx, a.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}

	forbidden := func(what string, err error) {
		t.Helper()
		wantCode(t, err, glpinet.EFORBIDDEN)
		if msg := glpinet.ErrorMessage(err); !strings.HasPrefix(msg, "The account is suspended: ") {
			t.Fatalf("%s: message %q, want it to say that the account is suspended", what, msg)
		}
	}
	newKey := func(accountID int64) *glpinet.RegistrationKey {
		raw, err := glpinet.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		return &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	}
	forbidden("CreateKey", s.CreateKey(ctx, newKey(a.ID)))
	forbidden("RotateKey", s.RotateKey(ctx, k.ID, newKey(0), c.t.Add(time.Hour)))
	forbidden("CreateKeys", s.CreateKeys(ctx, []*glpinet.RegistrationKey{newKey(other.ID), newKey(a.ID)}))
	tok := &glpinet.APIToken{UserID: owner.ID, Name: "ci", Hash: glpinet.HashKey("gnt_suspended"), Display: "gnt_sus",
		Scopes: []glpinet.TokenScope{glpinet.ScopeKeys}}
	forbidden("CreateToken", s.CreateToken(ctx, tok))

	// Nothing was stored, not even the other account's key of the batch.
	if keys, _, err := s.ListKeys(ctx, a.ID, glpinet.Page{}); err != nil || len(keys) != 2 || keys[1].ReplacedBy != nil {
		t.Fatalf("the suspended account's keys: %+v, %v; want its two keys, not rotated", keys, err)
	}
	if keys, _, err := s.ListKeys(ctx, other.ID, glpinet.Page{}); err != nil || len(keys) != 0 {
		t.Fatalf("keys of the refused batch: %+v, %v; want none", keys, err)
	}
	if toks, err := s.ListTokens(ctx, owner.ID); err != nil || len(toks) != 0 {
		t.Fatalf("tokens of a suspended account's user: %+v, %v; want none", toks, err)
	}

	// Operators belong to no account: their tokens are not concerned.
	opTok := &glpinet.APIToken{UserID: op.ID, Name: "publish", Hash: glpinet.HashKey("gnt_op"), Display: "gnt_op",
		Scopes: []glpinet.TokenScope{glpinet.ScopePublish}}
	if err := s.CreateToken(ctx, opTok); err != nil {
		t.Fatalf("an operator's token while an account is suspended: %v", err)
	}
	// Other accounts are not concerned either.
	if err := s.CreateKeys(ctx, []*glpinet.RegistrationKey{newKey(other.ID)}); err != nil {
		t.Fatalf("CreateKeys for an active account: %v", err)
	}
	// Taking credentials away still works.
	if err := s.RevokeKey(ctx, spare.ID); err != nil {
		t.Fatalf("RevokeKey of a suspended account's key: %v", err)
	}
	// Unknown accounts are still ENOTFOUND.
	wantCode(t, s.CreateKeys(ctx, []*glpinet.RegistrationKey{newKey(other.ID), newKey(a.ID + 1000)}), glpinet.ENOTFOUND)

	// Reactivated, the account gets credentials again.
	if err := s.SetAccountState(ctx, a.ID, glpinet.AccountActive); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, newKey(a.ID)); err != nil {
		t.Fatalf("CreateKey after reactivation: %v", err)
	}
	if err := s.RotateKey(ctx, k.ID, newKey(0), c.t.Add(time.Hour)); err != nil {
		t.Fatalf("RotateKey after reactivation: %v", err)
	}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken after reactivation: %v", err)
	}
}
