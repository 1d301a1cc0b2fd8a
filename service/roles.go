package service

import (
	"strings"

	"github.com/glpinet/glpinet"
)

// CanManage reports whether u may change its account: issue, rotate and
// revoke keys, invite people and see the invitations (whose codes let
// people in). Owners and admins may; members and operators, who belong to
// no account, may not through the customer surfaces.
func CanManage(u *glpinet.User) bool {
	return u.AccountID != 0 && u.Role.Rank() >= glpinet.RoleAdmin.Rank()
}

// IsOperator reports whether u runs the server: operators see and change
// every account, the catalogue and the offers.
func IsOperator(u *glpinet.User) bool { return u.Role == glpinet.RoleOperator }

// ScopesFor lists the scopes u may give an API token: publish is for
// operators only.
func ScopesFor(u *glpinet.User) []glpinet.TokenScope {
	s := []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys, glpinet.ScopeAdmin}
	if IsOperator(u) {
		s = append(s, glpinet.ScopePublish)
	}
	return s
}

// AccountSearch is the filter of an operator's search for accounts, one
// page p at a time: q, trimmed, is a part of their names (every account
// when empty).
func AccountSearch(q string, p glpinet.Page) glpinet.AccountFilter {
	f := glpinet.AccountFilter{Page: p}
	if q = strings.TrimSpace(q); q != "" {
		f.Name = &q
	}
	return f
}
