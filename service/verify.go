package service

import (
	"context"

	"github.com/glpinet/glpinet"
)

// MarkVerified marks the e-mail address of the user with this e-mail
// verified by hand: an operator vouches for it, and the user may issue
// keys at once. It returns the user as stored now and whether the call
// changed them: a verified user is left as they are, so that a script may
// run it twice. Returns ENOTFOUND (no such e-mail).
func (s *Service) MarkVerified(ctx context.Context, email string) (*glpinet.User, bool, error) {
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, false, err
	}
	return s.Store.MarkEmailVerified(ctx, u.ID)
}

// VerifyUser marks user id's e-mail address verified on behalf of by,
// who must be an operator: the management API's "email_verified": true.
// verified false is refused: an address once proven stays so. It returns
// the user as stored now and whether the call changed them. Returns
// EFORBIDDEN (not an operator), EINVALID (false), ENOTFOUND.
func (s *Service) VerifyUser(ctx context.Context, by *glpinet.User, id int64, verified bool) (*glpinet.User, bool, error) {
	if !IsOperator(by) {
		return nil, false, glpinet.Errorf(glpinet.EFORBIDDEN, "Only operators may mark an e-mail address verified.")
	}
	if !verified {
		return nil, false, glpinet.Errorf(glpinet.EINVALID, "An e-mail address cannot be marked unverified; only \"email_verified\": true is accepted.")
	}
	return s.Store.MarkEmailVerified(ctx, id)
}
