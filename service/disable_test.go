package service_test

import (
	"testing"

	"github.com/glpinet/glpinet"
)

// TestSetDisabled: by e-mail, idempotent, and never the last operator.
func TestSetDisabled(t *testing.T) {
	s, _ := fixture(t)
	ctx := glpinet.WithActor(t.Context(), "test")
	ops := []*glpinet.User{}
	for _, email := range []string{"one@provider.example", "two@provider.example"} {
		u, err := s.CreateOperator(ctx, email, "Ops", "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, u)
	}
	u, changed, err := s.SetDisabled(ctx, "ONE@provider.example", true)
	if err != nil || !changed || u.ID != ops[0].ID || !u.Disabled() {
		t.Fatalf("SetDisabled = %+v, %v, %v", u, changed, err)
	}
	if _, changed, err := s.SetDisabled(ctx, "one@provider.example", true); err != nil || changed {
		t.Fatalf("disabling again: changed %v, %v; want no change and no error", changed, err)
	}
	_, _, err = s.SetDisabled(ctx, "two@provider.example", true)
	if glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("disabling the last enabled operator: %v, want ECONFLICT", err)
	}
	_, _, err = s.SetDisabled(ctx, "nobody@example.com", true)
	if glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("unknown e-mail: %v, want ENOTFOUND", err)
	}
	if u, changed, err := s.SetDisabled(ctx, "one@provider.example", false); err != nil || !changed || u.Disabled() {
		t.Fatalf("enabling = %+v, %v, %v", u, changed, err)
	}
}
