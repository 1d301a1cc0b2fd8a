package storeflow

import (
	"context"

	"github.com/glpinet/glpinet"
)

// UserTx is a transaction that stores users.
type UserTx interface {
	AccountTx
	// InsertAccount stores a new account with its free subscription, and
	// sets its ID and timestamps.
	InsertAccount(ctx context.Context, a *glpinet.Account) error
	// InsertUser stores u and sets its ID and CreatedAt. Returns
	// ECONFLICT (e-mail already used).
	InsertUser(ctx context.Context, u *glpinet.User) error
}

// SignUp is glpinet.UserStore.SignUp.
func SignUp(ctx context.Context, tx UserTx, a *glpinet.Account, owner *glpinet.User) error {
	return signUp(ctx, tx, a, owner, true)
}

// signUp is SignUp, the owner stored verified or not (see SignUpToVerify).
func signUp(ctx context.Context, tx UserTx, a *glpinet.Account, owner *glpinet.User, verified bool) error {
	if err := glpinet.PrepareSignUp(a, owner); err != nil {
		return err
	}
	if err := tx.InsertAccount(ctx, a); err != nil {
		return err
	}
	owner.AccountID = a.ID
	owner.EmailVerifiedAt = verifiedAt(tx, verified)
	if err := tx.InsertUser(ctx, owner); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Actor: glpinet.UserSubject(owner.ID), Action: "account.signup",
		Subject: glpinet.AccountSubject(a.ID), Details: a.Name + " by " + owner.Email})
}

// CreateUser is glpinet.UserStore.CreateUser.
func CreateUser(ctx context.Context, tx UserTx, u *glpinet.User) error {
	if err := u.PrepareNew(); err != nil {
		return err
	}
	subject := "operators"
	if u.AccountID != 0 {
		if err := tx.AccountExists(ctx, u.AccountID); err != nil {
			return err
		}
		subject = glpinet.AccountSubject(u.AccountID)
	}
	// Operators, and the people they add, are vouched for by whoever
	// runs the server.
	u.EmailVerifiedAt = verifiedAt(tx, true)
	if err := tx.InsertUser(ctx, u); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "user.create", Subject: subject,
		Details: glpinet.UserSubject(u.ID) + " " + u.Email + " " + string(u.Role)})
}
