package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/glpinet/glpinet"
)

// testAuditNotice: a store passes each audit event to the context's
// notice (glpinet.WithAuditNotice) once its transaction committed, with
// its actor and time, and nothing for a change refused.
func testAuditNotice(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	var mu sync.Mutex
	var got []glpinet.AuditEvent
	ctx := glpinet.WithAuditNotice(ctxFor(t), func(_ context.Context, e glpinet.AuditEvent) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
	})
	a := &glpinet.Account{Name: "Noticed"}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Action != "account.create" || got[0].Actor != "test:storetest" ||
		got[0].Subject != glpinet.AccountSubject(a.ID) || !got[0].At.Equal(c.Now()) {
		t.Fatalf("noticed %+v, want one account.create by test:storetest at %v", got, c.Now())
	}
	got = nil
	k := &glpinet.RegistrationKey{AccountID: a.ID + 1000, Hash: glpinet.HashKey("gnk_x"), Prefix: "gnk_x", Label: "none"}
	if err := s.CreateKey(ctx, k); err == nil {
		t.Fatal("a key for an account that does not exist")
	}
	if len(got) != 0 {
		t.Errorf("a refused change noticed: %+v", got)
	}
	// Without a notice, nothing is called (and nothing breaks).
	if err := s.CreateAccount(ctxFor(t), &glpinet.Account{Name: "Quiet"}); err != nil || len(got) != 0 {
		t.Errorf("without a notice: %v, %+v", err, got)
	}
}
