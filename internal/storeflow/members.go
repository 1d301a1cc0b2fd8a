package storeflow

import (
	"context"
	"slices"

	"github.com/glpinet/glpinet"
)

// MemberTx is a transaction that changes the users of customer accounts.
type MemberTx interface {
	Tx
	// LockOwners reads the IDs of account's owners, locked in ID order
	// until the commit, so that two transactions demoting or removing two
	// owners cannot both see the other one still owner.
	LockOwners(ctx context.Context, account int64) ([]int64, error)
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
	// UpdateUserRole sets user id's role.
	UpdateUserRole(ctx context.Context, id int64, role glpinet.UserRole) error
	// DeleteUser deletes user id; their sessions and API tokens go with
	// them (ON DELETE CASCADE in both schemas).
	DeleteUser(ctx context.Context, id int64) error
}

// ChangeMember is glpinet.UserStore.ChangeMember.
func ChangeMember(ctx context.Context, tx MemberTx, c glpinet.MemberChange) (*glpinet.User, bool, error) {
	// The owners are locked first, then the two users, each in ID order:
	// every member change takes its locks in this order, so none waits
	// for another in a circle.
	owners, err := tx.LockOwners(ctx, c.AccountID)
	if err != nil {
		return nil, false, err
	}
	locked := map[int64]*glpinet.User{}
	for _, id := range slices.Compact(slices.Sorted(slices.Values([]int64{c.ByUserID, c.UserID}))) {
		if locked[id], err = tx.LockUser(ctx, id); err != nil {
			return nil, false, err
		}
	}
	by, u := locked[c.ByUserID], locked[c.UserID]
	if err := c.Check(by, u, owners); err != nil {
		return nil, false, err
	}
	who := glpinet.UserSubject(u.ID) + " " + u.Email
	e := glpinet.AuditEvent{Subject: glpinet.AccountSubject(c.AccountID)}
	switch {
	case c.Remove:
		if err := tx.DeleteUser(ctx, u.ID); err != nil {
			return nil, false, err
		}
		e.Action, e.Details = "user.remove", who+" "+string(u.Role)
		if c.Leaving() {
			e.Action = "user.leave"
		}
	case u.Role == c.Role:
		return u, false, nil
	default:
		if err := tx.UpdateUserRole(ctx, u.ID, c.Role); err != nil {
			return nil, false, err
		}
		e.Action, e.Details = "user.role", who+" "+string(u.Role)+" → "+string(c.Role)
		u.Role = c.Role
	}
	return u, true, tx.Audit(ctx, e)
}

// ChangeMember implements glpinet.UserStore.
func (w Methods[T]) ChangeMember(ctx context.Context, c glpinet.MemberChange) (u *glpinet.User, changed bool, err error) {
	err = w.Update(ctx, func(tx T) error {
		u, changed, err = ChangeMember(ctx, tx, c)
		return err
	})
	return u, changed, err
}
