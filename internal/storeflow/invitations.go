package storeflow

import (
	"context"
	"strconv"

	"github.com/glpinet/glpinet"
)

// InvitationTx is a transaction that stores invitations.
type InvitationTx interface {
	UserTx
	// InsertInvitation stores inv and sets its ID and CreatedAt. Returns
	// ECONFLICT (code hash already used).
	InsertInvitation(ctx context.Context, inv *glpinet.Invitation) error
	// LockInvitation reads invitation id of the account, locked; nil when none.
	LockInvitation(ctx context.Context, accountID, id int64) (*glpinet.Invitation, error)
	// LockInvitationCode reads the invitation with this code hash, locked; nil when none.
	LockInvitationCode(ctx context.Context, hash [32]byte) (*glpinet.Invitation, error)
	// SetInvitationRevoked revokes invitation id at the transaction's instant.
	SetInvitationRevoked(ctx context.Context, id int64) error
	// CountInvitationUse adds one to invitation id's uses.
	CountInvitationUse(ctx context.Context, id int64) error
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
	// AccountName reads account id's name ("" when none).
	AccountName(ctx context.Context, id int64) (string, error)
}

// CreateInvitation is glpinet.InvitationStore.CreateInvitation. An
// invitation with an e-mail address is mailed in the same transaction:
// the mail goes if and only if the invitation exists.
func CreateInvitation(ctx context.Context, tx InvitationTx, inv *glpinet.Invitation) error {
	inv.Email = glpinet.NormalizeEmail(inv.Email)
	if err := inv.Validate(); err != nil {
		return err
	}
	if err := tx.AccountExists(ctx, inv.AccountID); err != nil {
		return err
	}
	var mail *glpinet.Mail
	if inv.Email != "" {
		var err error
		if mail, err = invitationMail(ctx, tx, inv); err != nil {
			return err
		}
	}
	inv.Uses = 0
	if err := tx.InsertInvitation(ctx, inv); err != nil {
		return err
	}
	details := glpinet.InvitationSubject(inv.ID) + " " + string(inv.Role) + " ×" + strconv.Itoa(inv.MaxUses)
	if inv.Email != "" {
		details += " sent to " + inv.Email
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "invitation.create", Subject: glpinet.AccountSubject(inv.AccountID),
		Details: details}); err != nil {
		return err
	}
	if mail == nil {
		return nil
	}
	return EnqueueMail(ctx, tx, mail)
}

// invitationMail is the mail that carries inv's link to inv.Email, in the
// inviter's language: the invitee has none yet. It names the inviter, so
// that an invitation is never mailed by nobody (which would read as
// phishing): one without an enabled inviter of the account is refused.
func invitationMail(ctx context.Context, tx InvitationTx, inv *glpinet.Invitation) (*glpinet.Mail, error) {
	u, err := tx.LockUser(ctx, inv.CreatedBy)
	if err != nil {
		return nil, err
	} else if u == nil || u.Disabled() || u.AccountID != inv.AccountID {
		return nil, glpinet.Errorf(glpinet.EINVALID, "An invitation is mailed on behalf of an enabled user of the account.")
	}
	name, err := tx.AccountName(ctx, inv.AccountID)
	if err != nil {
		return nil, err
	}
	return &glpinet.Mail{To: inv.Email, Lang: u.Lang, Kind: glpinet.MailKindInvitation,
		Data: map[string]string{"inviter": u.Name, "account": name, "role": string(inv.Role), "link": inv.MailLink,
			"expires": inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")}}, nil
}

// RevokeInvitation is glpinet.InvitationStore.RevokeInvitation.
func RevokeInvitation(ctx context.Context, tx InvitationTx, accountID, id int64) error {
	inv, err := tx.LockInvitation(ctx, accountID, id)
	switch {
	case err != nil:
		return err
	case inv == nil:
		return glpinet.Errorf(glpinet.ENOTFOUND, "Invitation %d does not exist.", id)
	case inv.RevokedAt != nil:
		return glpinet.Errorf(glpinet.ECONFLICT, "Invitation %d is already revoked.", id)
	}
	if err := tx.SetInvitationRevoked(ctx, id); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "invitation.revoke", Subject: glpinet.AccountSubject(accountID),
		Details: glpinet.InvitationSubject(id)})
}

// AcceptInvitation is glpinet.InvitationStore.AcceptInvitation. The lock
// serialises acceptances of one invitation, so two people taking the last
// use at once cannot both get in.
func AcceptInvitation(ctx context.Context, tx InvitationTx, hash [32]byte, u *glpinet.User) (*glpinet.Invitation, error) {
	return acceptInvitation(ctx, tx, hash, u, true)
}

// acceptInvitation is AcceptInvitation, the user stored verified or not
// (see AcceptInvitationToVerify).
func acceptInvitation(ctx context.Context, tx InvitationTx, hash [32]byte, u *glpinet.User, verified bool) (*glpinet.Invitation, error) {
	inv, err := tx.LockInvitationCode(ctx, hash)
	if err != nil {
		return nil, err
	} else if inv == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "This invitation does not exist.")
	}
	if err := inv.Usable(tx.Now()); err != nil {
		return nil, err
	}
	u.AccountID, u.Role = inv.AccountID, inv.Role
	if err := u.Prepare(); err != nil {
		return nil, err
	}
	u.EmailVerifiedAt = verifiedAt(tx, verified)
	if err := tx.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	if err := tx.CountInvitationUse(ctx, inv.ID); err != nil {
		return nil, err
	}
	inv.Uses++
	return inv, tx.Audit(ctx, glpinet.AuditEvent{Actor: glpinet.UserActor(u), Action: "invitation.accept",
		Subject: glpinet.AccountSubject(inv.AccountID), Details: glpinet.InvitationSubject(inv.ID) + " " + u.Email + " " + string(u.Role)})
}
