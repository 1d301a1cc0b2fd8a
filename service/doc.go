// Package service holds every rule that more than one surface of glpinetd
// needs: the portal, the management API (/api/v1) and the glpinetd command
// line call it, and it calls the store.
//
// Where the rules live, and why:
//
//   - Rules about one value, which a store must also enforce whoever
//     writes (a label's length, an invitation's role, a user's e-mail),
//     stay on the domain types in package glpinet, as Validate and Prepare
//     methods, next to the limits in glpinet's limits.go. The stores call
//     them in the transaction that writes, and only persist.
//   - Rules about a request, which need a secret made, the clock, or the
//     caller (issuing, rotating and revoking keys with their grace cap,
//     invitations with their validity, API tokens with their scopes,
//     new passwords, who may manage an account, the publish options read
//     from a form, a query or flags), live here. A surface parses its
//     input into this package's types, calls one method, and renders the
//     result or the error its own way; it never repeats a check.
//
// A package rather than methods on the domain types because these rules
// need the store and the clock, which the domain package does not know;
// and a thin one: each method is a check followed by one store call (one
// transaction), so that the audit log and the change feed stay the
// store's, written in the same transaction as the change.
//
// Errors are *glpinet.Error values with the codes the store methods
// document, plus EINVALID for a request outside the limits.
package service

import (
	"time"

	"github.com/glpinet/glpinet"
)

// Service applies the shared rules and calls the store.
type Service struct {
	Store glpinet.Store
	// Now is the clock (nil: time.Now); tests inject one.
	Now func() time.Time
}

// New returns a Service over store with the clock now (nil: time.Now).
func New(store glpinet.Store, now func() time.Time) *Service {
	return &Service{Store: store, Now: now}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
