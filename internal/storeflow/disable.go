package storeflow

import (
	"context"
	"slices"

	"github.com/glpinet/glpinet"
)

// DisableTx is a transaction that disables and enables users.
type DisableTx interface {
	SessionTx
	// LockEnabledOperators reads the IDs of the operators who are not
	// disabled, locked in ID order until the commit, so that two
	// transactions disabling two operators cannot both see the other one
	// still enabled.
	LockEnabledOperators(ctx context.Context) ([]int64, error)
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
	// UpdateUserDisabled sets user id's disabled_at to the transaction's
	// instant (disabled) or clears it.
	UpdateUserDisabled(ctx context.Context, id int64, disabled bool) error
}

// SetUserDisabled is glpinet.UserStore.SetUserDisabled.
func SetUserDisabled(ctx context.Context, tx DisableTx, id int64, disabled bool) (*glpinet.User, bool, error) {
	last := false
	if disabled {
		// The operators are locked before the user, in ID order, whoever
		// is disabled: every disabling transaction takes the locks in the
		// same order, so none waits for another in a circle.
		ops, err := tx.LockEnabledOperators(ctx)
		if err != nil {
			return nil, false, err
		}
		last = slices.Equal(ops, []int64{id})
	}
	u, err := tx.LockUser(ctx, id)
	switch {
	case err != nil:
		return nil, false, err
	case u == nil:
		return nil, false, glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", id)
	case u.Disabled() == disabled:
		return u, false, nil
	case last:
		return nil, false, glpinet.Errorf(glpinet.ECONFLICT,
			"%s is the last enabled operator: with them disabled, nobody could sign in to run the server; create or enable another operator first.", u.Email)
	}
	if err := tx.UpdateUserDisabled(ctx, id, disabled); err != nil {
		return nil, false, err
	}
	action := "user.enable"
	u.DisabledAt = nil
	if disabled {
		now := tx.Now()
		action, u.DisabledAt = "user.disable", &now
		// Sessions end now, not when the user is enabled again: whoever
		// held them must sign in anew. Tokens stay, refused while the
		// user is disabled (FindToken), so that enabling restores them.
		if err := tx.DeleteSessions(ctx, id); err != nil {
			return nil, false, err
		}
	}
	return u, true, tx.Audit(ctx, glpinet.AuditEvent{Action: action, Subject: glpinet.UserSubject(id), Details: u.Email})
}
