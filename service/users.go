package service

import (
	"context"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// Errors of CheckPassword, distinct so that the portal can say them in the
// visitor's language.
var (
	ErrPasswordShort = glpinet.Errorf(glpinet.EINVALID, "A password has at least %d characters.", glpinet.MinPasswordLen)
	ErrPasswordLong  = glpinet.Errorf(glpinet.EINVALID, "A password has at most %d bytes.", glpinet.MaxPasswordLen)
)

// CheckPassword returns ErrPasswordShort or ErrPasswordLong when password
// may not be a new password.
func CheckPassword(password string) error {
	if utf8.RuneCountInString(password) < glpinet.MinPasswordLen {
		return ErrPasswordShort
	}
	if len(password) > glpinet.MaxPasswordLen {
		return ErrPasswordLong
	}
	return nil
}

// CreateOperator stores a new operator with password, hashed with the
// default parameters. Returns ErrPasswordShort, ErrPasswordLong, and the
// errors of glpinet.UserStore.CreateUser: EINVALID, ECONFLICT (e-mail).
func (s *Service) CreateOperator(ctx context.Context, email, name, password string) (*glpinet.User, error) {
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return nil, err
	}
	u := &glpinet.User{Email: email, Name: name, Role: glpinet.RoleOperator, PasswordHash: hash}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ResetPassword gives the user with this e-mail (a customer's user or an
// operator) a new password and ends their sessions: the way back in for
// someone who lost access, run by whoever runs the server. Returns
// ErrPasswordShort, ErrPasswordLong, ENOTFOUND (no such e-mail).
func (s *Service) ResetPassword(ctx context.Context, email, password string) (*glpinet.User, error) {
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetPassword(ctx, u.ID, hash); err != nil {
		return nil, err
	}
	return u, nil
}

// SetDisabled disables (disabled true) or enables the user with this
// e-mail, a customer's user or an operator. A disabled user cannot sign
// in (refused as a wrong password would be), their portal sessions end
// and their API tokens are refused until they are enabled again, which
// gives the tokens back. It returns the user as stored now and whether
// the call changed them: asking for the state the user already has is
// not an error, so that a script may run it twice. Returns ENOTFOUND (no
// such e-mail), ECONFLICT (the last enabled operator: the store checks it
// in the transaction that disables, so that two operators disabled at
// once cannot leave nobody).
func (s *Service) SetDisabled(ctx context.Context, email string, disabled bool) (*glpinet.User, bool, error) {
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, false, err
	}
	return s.Store.SetUserDisabled(ctx, u.ID, disabled)
}
