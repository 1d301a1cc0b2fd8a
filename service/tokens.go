package service

import (
	"context"
	"slices"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// TokenRequest is what a user asks for when creating an API token.
type TokenRequest struct {
	User   *glpinet.User
	Name   string
	Scopes []glpinet.TokenScope
	Days   int // validity; 0 or less: no expiry; more than glpinet.MaxTokenDays is cut to it
}

// ErrScopeNotAllowed is returned when a token would carry a scope its user
// may not give (see ScopesFor).
var ErrScopeNotAllowed = glpinet.Errorf(glpinet.EFORBIDDEN, "You may not give a token this scope.")

// CreateToken makes a personal API token. Returns ErrScopeNotAllowed, and
// the errors of glpinet.TokenStore.CreateToken: EINVALID (name, scopes),
// ENOTFOUND, EFORBIDDEN (suspended account).
func (s *Service) CreateToken(ctx context.Context, req TokenRequest) (string, *glpinet.APIToken, error) {
	allowed := ScopesFor(req.User)
	for _, sc := range req.Scopes {
		if !slices.Contains(allowed, sc) {
			return "", nil, ErrScopeNotAllowed
		}
	}
	raw, err := auth.NewToken(auth.PrefixAPIToken)
	if err != nil {
		return "", nil, err
	}
	t := &glpinet.APIToken{UserID: req.User.ID, Name: req.Name, Hash: auth.HashToken(raw), Display: auth.TokenDisplay(raw), Scopes: req.Scopes}
	if req.Days > 0 {
		exp := s.now().Add(time.Duration(min(req.Days, glpinet.MaxTokenDays)) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return raw, t, nil
}
