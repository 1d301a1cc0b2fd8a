package service

import (
	"context"

	"github.com/glpinet/glpinet"
)

// Member changes: owners and admins manage their account's users,
// operators every account's; only an owner makes someone owner or changes
// or removes an owner; anyone may leave; an account always keeps an owner.
// glpinet.MemberChange.Check says it, and the store checks it in the
// transaction that writes, with the account's owners locked, so that two
// owners demoting each other at once cannot leave none.

// SetRole gives user id of account the role (owner, admin or member),
// asked by by. account 0 is by's own account, or for an operator the
// user's. It returns the user as stored now. Returns ENOTFOUND (no such
// user in the account), EFORBIDDEN, EINVALID (role), ECONFLICT (the
// account's last owner).
func (s *Service) SetRole(ctx context.Context, by *glpinet.User, account, id int64, role glpinet.UserRole) (*glpinet.User, error) {
	c, err := s.memberChange(ctx, by, account, id)
	if err != nil {
		return nil, err
	}
	c.Role = role
	u, _, err := s.Store.ChangeMember(ctx, c)
	return u, err
}

// RemoveMember removes user id from account, asked by by (account 0 as
// for SetRole): the user is deleted with their sessions and API tokens,
// so that they lose access at once; their e-mail may be invited again.
// It returns the user as they were. Returns ENOTFOUND, EFORBIDDEN,
// ECONFLICT (the account's last owner).
func (s *Service) RemoveMember(ctx context.Context, by *glpinet.User, account, id int64) (*glpinet.User, error) {
	c, err := s.memberChange(ctx, by, account, id)
	if err != nil {
		return nil, err
	}
	c.Remove = true
	u, _, err := s.Store.ChangeMember(ctx, c)
	return u, err
}

// Leave removes u from their account, as RemoveMember does. Returns
// EFORBIDDEN (an operator, who belongs to no account), ECONFLICT (the
// account's last owner, who must make someone else owner first).
func (s *Service) Leave(ctx context.Context, u *glpinet.User) error {
	if u.AccountID == 0 {
		return glpinet.Errorf(glpinet.EFORBIDDEN, "Operators belong to no account they could leave.")
	}
	_, err := s.RemoveMember(ctx, u, u.AccountID, u.ID)
	return err
}

// memberChange fills the change's account and asker.
func (s *Service) memberChange(ctx context.Context, by *glpinet.User, account, id int64) (glpinet.MemberChange, error) {
	c := glpinet.MemberChange{AccountID: account, UserID: id, ByUserID: by.ID}
	if account != 0 {
		return c, nil
	}
	c.AccountID = by.AccountID
	if IsOperator(by) {
		u, err := s.Store.FindUserByID(ctx, id)
		if err != nil {
			return c, err
		}
		// An operator is nobody's member: Check says "not found".
		c.AccountID = u.AccountID
	}
	return c, nil
}
