package service_test

import (
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// An unverified user may not issue or rotate keys, whichever surface
// asks; once an operator vouched for the address they may. Only
// operators vouch, and only for "verified".
func TestUnverifiedMayNotIssueKeys(t *testing.T) {
	s, _ := fixture(t)
	ctx := t.Context()
	owner := &glpinet.User{Email: "new@example.com", Name: "New", PasswordHash: "x"}
	a := &glpinet.Account{Name: "New Co"}
	req := glpinet.EmailVerificationRequest{Hash: glpinet.HashKey("gnv_1"), Link: "https://portal.example/verify/gnv_1"}
	if err := s.Store.SignUpToVerify(ctx, a, owner, req); err != nil {
		t.Fatal(err)
	}
	if owner.Verified() {
		t.Fatalf("signed up to verify, yet verified: %+v", owner)
	}
	_, err := s.IssueKey(ctx, owner, a.ID, "prod")
	if glpinet.ErrorCode(err) != glpinet.EFORBIDDEN || !strings.Contains(glpinet.ErrorMessage(err), "new@example.com") {
		t.Fatalf("unverified issue: %v, want EFORBIDDEN naming the address", err)
	}
	k, err := s.IssueKey(ctx, nil, a.ID, "by the command line")
	if err != nil {
		t.Fatalf("the command line issues for anyone: %v", err)
	}
	if _, err := s.RotateKey(ctx, owner, k.ID, 0); glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("unverified rotation: %v, want EFORBIDDEN", err)
	}

	if _, _, err := s.VerifyUser(ctx, owner, owner.ID, true); glpinet.ErrorCode(err) != glpinet.EFORBIDDEN {
		t.Fatalf("a customer vouching for themselves: %v, want EFORBIDDEN", err)
	}
	op := &glpinet.User{Role: glpinet.RoleOperator}
	if _, _, err := s.VerifyUser(ctx, op, owner.ID, false); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("email_verified false: %v, want EINVALID", err)
	}
	u, changed, err := s.MarkVerified(ctx, "NEW@example.com")
	if err != nil || !changed || !u.Verified() {
		t.Fatalf("MarkVerified = %+v, %v, %v", u, changed, err)
	}
	if _, changed, err := s.VerifyUser(ctx, op, owner.ID, true); err != nil || changed {
		t.Fatalf("verifying again: changed %v, %v; want nothing changed", changed, err)
	}
	if _, err := s.IssueKey(ctx, u, a.ID, "prod"); err != nil {
		t.Fatalf("verified issue: %v", err)
	}
	if _, _, err := s.MarkVerified(ctx, "nobody@example.com"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("unknown address: %v", err)
	}
}
