package storeflow

import (
	"context"

	"github.com/glpinet/glpinet"
)

// ResetTx is a transaction that stores password resets.
type ResetTx interface {
	DisableTx
	// LockUserEmail reads the user with this normalised e-mail, locked;
	// nil when none.
	LockUserEmail(ctx context.Context, email string) (*glpinet.User, error)
	// InsertPasswordReset stores p and sets its ID and CreatedAt (the
	// transaction's instant).
	InsertPasswordReset(ctx context.Context, p *glpinet.PasswordReset) error
	// LockPasswordReset reads the reset with this token hash, locked; nil
	// when none.
	LockPasswordReset(ctx context.Context, hash [32]byte) (*glpinet.PasswordReset, error)
	// EndPasswordResets marks every unused reset of user id used at the
	// transaction's instant.
	EndPasswordResets(ctx context.Context, userID int64) error
}

// CreatePasswordReset is glpinet.PasswordResetStore.CreatePasswordReset.
func CreatePasswordReset(ctx context.Context, tx ResetTx, r glpinet.PasswordResetRequest) (*glpinet.PasswordReset, error) {
	if r.Hash == ([32]byte{}) || r.Link == "" {
		return nil, glpinet.Errorf(glpinet.EINVALID, "A password reset needs a token hash and a link.")
	}
	u, err := tx.LockUserEmail(ctx, glpinet.NormalizeEmail(r.Email))
	if err != nil {
		return nil, err
	}
	// A disabled user gets no link: the answer is the one of an unknown
	// address, which the caller does not tell apart from success.
	if u == nil || u.Disabled() {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "No enabled user has this e-mail address.")
	}
	p := &glpinet.PasswordReset{UserID: u.ID, Hash: r.Hash, ExpiresAt: tx.Now().Add(glpinet.PasswordResetValidity)}
	if err := tx.InsertPasswordReset(ctx, p); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "user.password-reset-request", Subject: glpinet.UserSubject(u.ID), Details: u.Email}); err != nil {
		return nil, err
	}
	return p, EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: glpinet.MailKindPasswordReset,
		Data: map[string]string{"name": u.Name, "link": r.Link}})
}

// ResetPassword is glpinet.PasswordResetStore.ResetPassword. The reset is
// locked first: two uses of one link at once are serialised, and the
// second finds it used.
func ResetPassword(ctx context.Context, tx ResetTx, use glpinet.PasswordResetUse) (*glpinet.User, error) {
	if use.PasswordHash == "" {
		return nil, glpinet.Errorf(glpinet.EINVALID, "A user needs a password.")
	}
	p, err := tx.LockPasswordReset(ctx, use.Hash)
	if err != nil {
		return nil, err
	} else if p == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This password reset link does not exist.")
	}
	if err := p.Usable(tx.Now()); err != nil {
		return nil, err
	}
	u, err := tx.LockUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	} else if u == nil || u.Disabled() {
		// Disabled since the link was mailed: the link must not bring
		// them back in.
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This password reset link does not exist.")
	}
	if _, err := tx.UpdatePassword(ctx, u.ID, use.PasswordHash); err != nil {
		return nil, err
	}
	u.PasswordHash = use.PasswordHash
	// Whoever knew the old password may hold a session: it ends now.
	if err := tx.DeleteSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	// Every other link mailed before is worth nothing once the password
	// is chosen: a mailbox read later must not change it again.
	if err := tx.EndPasswordResets(ctx, u.ID); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Actor: glpinet.UserSubject(u.ID), Action: "user.password-reset",
		Subject: glpinet.UserSubject(u.ID), Details: u.Email}); err != nil {
		return nil, err
	}
	data := map[string]string{"name": u.Name}
	if use.ForgotLink != "" {
		data["link"] = use.ForgotLink
	}
	return u, EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: glpinet.MailKindPasswordChanged, Data: data})
}

// CreatePasswordReset implements glpinet.PasswordResetStore.
func (w Methods[T]) CreatePasswordReset(ctx context.Context, r glpinet.PasswordResetRequest) (p *glpinet.PasswordReset, err error) {
	err = w.Update(ctx, func(tx T) error {
		p, err = CreatePasswordReset(ctx, tx, r)
		return err
	})
	return p, err
}

// ResetPassword implements glpinet.PasswordResetStore.
func (w Methods[T]) ResetPassword(ctx context.Context, use glpinet.PasswordResetUse) (u *glpinet.User, err error) {
	err = w.Update(ctx, func(tx T) error {
		u, err = ResetPassword(ctx, tx, use)
		return err
	})
	return u, err
}
