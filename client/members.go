package client

import (
	"context"
	"strconv"

	"github.com/glpinet/glpinet"
)

// SetRole changes the role of user id (owner, admin or member).
func (c *API) SetRole(ctx context.Context, id int64, role glpinet.UserRole) (*glpinet.User, error) {
	var out glpinet.User
	return &out, c.do(ctx, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), map[string]any{"role": role}, &out)
}

// RemoveUser removes user id from their account.
func (c *API) RemoveUser(ctx context.Context, id int64) error {
	return c.do(ctx, "DELETE", "/api/v1/users/"+strconv.FormatInt(id, 10), nil, nil)
}

// Leave removes the token's user from their account; the token ends with
// them.
func (c *API) Leave(ctx context.Context) error {
	return c.do(ctx, "POST", "/api/v1/me/leave", nil, nil)
}
