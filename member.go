package glpinet

import "slices"

// MemberChange is a change to a user of a customer account, asked by a
// user: a new role, or the user's removal. A user removing themselves
// leaves the account.
type MemberChange struct {
	AccountID int64    // the account the user must belong to
	UserID    int64    // the user changed or removed
	ByUserID  int64    // who asks: a user of the account, or an operator
	Role      UserRole // the new role (owner, admin or member) unless Remove
	Remove    bool     // remove the user from the account
}

// Leaving reports whether the change is a user leaving the account.
func (c MemberChange) Leaving() bool { return c.Remove && c.UserID == c.ByUserID }

// Check reports why by may not make the change to u, nil when they may;
// owners are the IDs of the account's owners. The stores call it in the
// transaction that writes, with these rows locked, so that the account
// keeps an owner whatever runs at the same time.
//
// The rules: owners and admins manage the account's users, operators
// every account's; only an owner (or an operator) makes someone owner or
// changes or removes an owner; anyone may leave; and an account always
// keeps an owner, so that someone may manage it.
func (c MemberChange) Check(by, u *User, owners []int64) error {
	// Another account's user is "not found", never "forbidden", so that
	// IDs reveal nothing.
	if u == nil || u.AccountID == 0 || u.AccountID != c.AccountID {
		return Errorf(ENOTFOUND, "User %d is not a user of this account.", c.UserID)
	}
	if by == nil || (by.Role != RoleOperator && by.AccountID != c.AccountID) {
		return Errorf(EFORBIDDEN, "Only the account's owners and admins, and operators, may change its users.")
	}
	if !c.Remove {
		switch c.Role {
		case RoleOwner, RoleAdmin, RoleMember:
		default:
			return Errorf(EINVALID, "Unknown role %q (owner, admin or member).", clip(string(c.Role)))
		}
	}
	operator := by.Role == RoleOperator
	switch {
	case c.Leaving():
	case !operator && by.Role.Rank() < RoleAdmin.Rank():
		return Errorf(EFORBIDDEN, "Only the account's owners and admins may change its users.")
	case !operator && by.Role != RoleOwner && (u.Role == RoleOwner || (!c.Remove && c.Role == RoleOwner)):
		return Errorf(EFORBIDDEN, "Only an owner may make someone owner, or change or remove an owner.")
	}
	losesOwner := u.Role == RoleOwner && (c.Remove || c.Role != RoleOwner)
	if losesOwner && slices.Equal(owners, []int64{u.ID}) {
		if c.Leaving() {
			return Errorf(ECONFLICT, "You are the account's last owner: make someone else owner before you leave.")
		}
		return Errorf(ECONFLICT, "%s is the account's last owner: an account always keeps one; make someone else owner first.", u.Email)
	}
	return nil
}
