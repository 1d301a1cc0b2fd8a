package storeflow

import (
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

// NoToken is FindToken's answer when no live token of an enabled user
// has the hash: one message, whichever the reason, for a client who may
// hold anybody's token.
func NoToken() error {
	return glpinet.Errorf(glpinet.ENOTFOUND, "Unknown, expired or revoked token, or its user is disabled.")
}
