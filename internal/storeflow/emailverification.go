package storeflow

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
)

// VerifyTx is a transaction that stores e-mail verifications.
type VerifyTx interface {
	InvitationTx
	DisableTx
	// InsertEmailVerification stores v and sets its ID and CreatedAt (the
	// transaction's instant). Returns ECONFLICT (token hash already used).
	InsertEmailVerification(ctx context.Context, v *glpinet.EmailVerification) error
	// LockEmailVerification reads the verification with this token hash,
	// locked; nil when none.
	LockEmailVerification(ctx context.Context, hash [32]byte) (*glpinet.EmailVerification, error)
	// EndEmailVerifications marks every unused verification of user id
	// used at the transaction's instant.
	EndEmailVerifications(ctx context.Context, userID int64) error
	// UpdateUserVerified sets user id's email_verified_at to the
	// transaction's instant.
	UpdateUserVerified(ctx context.Context, id int64) error
}

// verifiedAt is the EmailVerifiedAt of a user stored now: the
// transaction's instant when verified, else nil.
func verifiedAt(tx Tx, verified bool) *time.Time {
	if !verified {
		return nil
	}
	now := tx.Now()
	return &now
}

// sendVerification stores a verification of u's address and enqueues the
// mail that carries its link.
func sendVerification(ctx context.Context, tx VerifyTx, u *glpinet.User, r glpinet.EmailVerificationRequest) (*glpinet.EmailVerification, error) {
	v := &glpinet.EmailVerification{UserID: u.ID, Hash: r.Hash, ExpiresAt: tx.Now().Add(glpinet.EmailVerificationValidity)}
	if err := tx.InsertEmailVerification(ctx, v); err != nil {
		return nil, err
	}
	return v, EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: glpinet.MailKindEmailVerify,
		Data: map[string]string{"name": u.Name, "link": r.Link}})
}

// SignUpToVerify is glpinet.EmailVerificationStore.SignUpToVerify.
func SignUpToVerify(ctx context.Context, tx VerifyTx, a *glpinet.Account, owner *glpinet.User, r glpinet.EmailVerificationRequest) error {
	if err := r.Check(); err != nil {
		return err
	}
	if err := signUp(ctx, tx, a, owner, false); err != nil {
		return err
	}
	_, err := sendVerification(ctx, tx, owner, r)
	return err
}

// AcceptInvitationToVerify is
// glpinet.EmailVerificationStore.AcceptInvitationToVerify.
func AcceptInvitationToVerify(ctx context.Context, tx VerifyTx, hash [32]byte, u *glpinet.User, r glpinet.EmailVerificationRequest) (*glpinet.Invitation, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	inv, err := acceptInvitation(ctx, tx, hash, u, false)
	if err != nil {
		return nil, err
	}
	_, err = sendVerification(ctx, tx, u, r)
	return inv, err
}

// SendEmailVerification is
// glpinet.EmailVerificationStore.SendEmailVerification.
func SendEmailVerification(ctx context.Context, tx VerifyTx, userID int64, r glpinet.EmailVerificationRequest) (*glpinet.EmailVerification, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	u, err := tx.LockUser(ctx, userID)
	if err != nil {
		return nil, err
	} else if u == nil || u.Disabled() {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", userID)
	} else if u.Verified() {
		return nil, glpinet.Errorf(glpinet.ECONFLICT, "The e-mail address %s is already verified.", u.Email)
	}
	v, err := sendVerification(ctx, tx, u, r)
	if err != nil {
		return nil, err
	}
	return v, tx.Audit(ctx, glpinet.AuditEvent{Action: "user.email-verification-sent", Subject: glpinet.UserSubject(u.ID), Details: u.Email})
}

// markVerified marks u verified now, ends their links and records it.
func markVerified(ctx context.Context, tx VerifyTx, u *glpinet.User, how string) error {
	if err := tx.UpdateUserVerified(ctx, u.ID); err != nil {
		return err
	}
	u.EmailVerifiedAt = verifiedAt(tx, true)
	// A link still in the mailbox is worth nothing once the address is
	// verified.
	if err := tx.EndEmailVerifications(ctx, u.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "user.email-verified", Subject: glpinet.UserSubject(u.ID), Details: u.Email + " " + how})
}

// VerifyEmail is glpinet.EmailVerificationStore.VerifyEmail. The
// verification is locked first: two uses of one link at once are
// serialised, and the second finds it used.
func VerifyEmail(ctx context.Context, tx VerifyTx, hash [32]byte) (*glpinet.User, error) {
	v, err := tx.LockEmailVerification(ctx, hash)
	if err != nil {
		return nil, err
	} else if v == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This verification link does not exist.")
	}
	if err := v.Usable(tx.Now()); err != nil {
		return nil, err
	}
	u, err := tx.LockUser(ctx, v.UserID)
	if err != nil {
		return nil, err
	} else if u == nil || u.Disabled() {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This verification link does not exist.")
	}
	if u.Verified() {
		// Verified since by an operator, whose vouching ended the links:
		// unreachable but for a link ended in another way.
		return u, tx.EndEmailVerifications(ctx, u.ID)
	}
	return u, markVerified(glpinet.WithActor(ctx, glpinet.UserActor(u)), tx, u, "by link")
}

// MarkEmailVerified is glpinet.EmailVerificationStore.MarkEmailVerified.
func MarkEmailVerified(ctx context.Context, tx VerifyTx, id int64) (*glpinet.User, bool, error) {
	u, err := tx.LockUser(ctx, id)
	if err != nil {
		return nil, false, err
	} else if u == nil {
		return nil, false, glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", id)
	}
	if u.Verified() {
		return u, false, nil
	}
	return u, true, markVerified(ctx, tx, u, "by hand")
}

// SignUpToVerify implements glpinet.EmailVerificationStore.
func (w Methods[T]) SignUpToVerify(ctx context.Context, a *glpinet.Account, owner *glpinet.User, r glpinet.EmailVerificationRequest) error {
	return w.Update(ctx, func(tx T) error { return SignUpToVerify(ctx, tx, a, owner, r) })
}

// AcceptInvitationToVerify implements glpinet.EmailVerificationStore.
func (w Methods[T]) AcceptInvitationToVerify(ctx context.Context, hash [32]byte, u *glpinet.User, r glpinet.EmailVerificationRequest) (inv *glpinet.Invitation, err error) {
	err = w.Update(ctx, func(tx T) error {
		inv, err = AcceptInvitationToVerify(ctx, tx, hash, u, r)
		return err
	})
	return inv, err
}

// SendEmailVerification implements glpinet.EmailVerificationStore.
func (w Methods[T]) SendEmailVerification(ctx context.Context, userID int64, r glpinet.EmailVerificationRequest) (v *glpinet.EmailVerification, err error) {
	err = w.Update(ctx, func(tx T) error {
		v, err = SendEmailVerification(ctx, tx, userID, r)
		return err
	})
	return v, err
}

// VerifyEmail implements glpinet.EmailVerificationStore.
func (w Methods[T]) VerifyEmail(ctx context.Context, hash [32]byte) (u *glpinet.User, err error) {
	err = w.Update(ctx, func(tx T) error {
		u, err = VerifyEmail(ctx, tx, hash)
		return err
	})
	return u, err
}

// MarkEmailVerified implements glpinet.EmailVerificationStore.
func (w Methods[T]) MarkEmailVerified(ctx context.Context, id int64) (u *glpinet.User, changed bool, err error) {
	err = w.Update(ctx, func(tx T) error {
		u, changed, err = MarkEmailVerified(ctx, tx, id)
		return err
	})
	return u, changed, err
}
