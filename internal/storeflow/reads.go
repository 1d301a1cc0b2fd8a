package storeflow

import (
	"context"

	"github.com/glpinet/glpinet"
)

// One returns the only element of list, the result of a read that
// selects at most one thing, or notFound when it is empty.
func One[T any](list []T, err, notFound error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	} else if len(list) == 0 {
		return zero, notFound
	}
	return list[0], nil
}

// WithUser completes a live token a store found (nil for none: ENOTFOUND)
// with its user, for glpinet.TokenStore.FindToken.
func WithUser(ctx context.Context, t *glpinet.APIToken, err error, findUser func(context.Context, int64) (*glpinet.User, error)) (*glpinet.APIToken, *glpinet.User, error) {
	if err == nil && t == nil {
		err = glpinet.Errorf(glpinet.ENOTFOUND, "Unknown, expired or revoked token.")
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := findUser(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}
