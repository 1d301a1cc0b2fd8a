package glpinet

import (
	"context"
	"time"
)

// EmailVerificationValidity is how long an e-mail verification link
// works: a long weekend away from one's mailbox, no more, as a link found
// much later proves little about who reads the address now.
const EmailVerificationValidity = 3 * 24 * time.Hour

// MailKindEmailVerify carries the link that confirms a new user's
// address; its values are "name" and "link".
const MailKindEmailVerify = "email-verify"

// EmailVerification is a link mailed to a user to prove that they read
// the address they gave. Only the SHA-256 of the link's token is stored;
// it works once, for EmailVerificationValidity, and verifying the address
// (by this link, another one, or an operator) ends it.
type EmailVerification struct {
	ID     int64    `json:"id"`
	UserID int64    `json:"user_id"`
	Hash   [32]byte `json:"-"`
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when it was used, or ended by the verification of the
	// address another way; nil while it may be used.
	UsedAt    *time.Time `json:"used_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// Usable returns an EINVALID error unless the link may be used at now.
func (v *EmailVerification) Usable(now time.Time) error {
	switch {
	case v.UsedAt != nil:
		return Errorf(EINVALID, "This verification link was already used.")
	case !now.Before(v.ExpiresAt):
		return Errorf(EINVALID, "This verification link has expired.")
	}
	return nil
}

// EmailVerificationRequest is a verification link to store and mail.
type EmailVerificationRequest struct {
	// Hash is the SHA-256 of the token the link carries.
	Hash [32]byte
	// Link is the absolute URL the mail gives, which holds the token: it
	// goes into the mail only, never into the verification's row.
	Link string
}

// Check returns an EINVALID error when the request lacks its hash or link.
func (r EmailVerificationRequest) Check() error {
	if r.Hash == ([32]byte{}) || r.Link == "" {
		return Errorf(EINVALID, "An e-mail verification needs a token hash and a link.")
	}
	return nil
}

// EmailVerificationStore keeps e-mail verifications. A user is verified
// (User.EmailVerifiedAt set) when created by UserStore.SignUp,
// UserStore.CreateUser or InvitationStore.AcceptInvitation: those are the
// paths of a server that cannot mail a link, of operators, and of the
// people operators add. The methods below are the paths of a server that
// mails one.
type EmailVerificationStore interface {
	// SignUpToVerify is UserStore.SignUp with the owner stored unverified
	// and, in the same transaction, a verification valid for
	// EmailVerificationValidity stored and its mail (MailKindEmailVerify,
	// in the owner's language) enqueued. Returns EINVALID, ECONFLICT
	// (e-mail already used).
	SignUpToVerify(ctx context.Context, a *Account, owner *User, v EmailVerificationRequest) error
	// AcceptInvitationToVerify is InvitationStore.AcceptInvitation with
	// the user stored unverified and their verification stored and
	// mailed in the same transaction. Returns ENOTFOUND, EINVALID,
	// ECONFLICT.
	AcceptInvitationToVerify(ctx context.Context, hash [32]byte, u *User, v EmailVerificationRequest) (*Invitation, error)
	// SendEmailVerification stores a new verification of user id's
	// address and enqueues its mail, in one transaction; earlier links
	// keep working until they expire. Returns ENOTFOUND (no such user, or
	// disabled), ECONFLICT (already verified), EINVALID.
	SendEmailVerification(ctx context.Context, userID int64, v EmailVerificationRequest) (*EmailVerification, error)
	// VerifyEmail uses a verification link: in one transaction it marks
	// its user verified, ends every unused verification of theirs and
	// records an audit event ("user.email-verified"). It returns the
	// user. Returns ENOTFOUND (unknown token, or its user was disabled),
	// EINVALID (used or expired).
	VerifyEmail(ctx context.Context, hash [32]byte) (*User, error)
	// MarkEmailVerified marks user id verified by hand (an operator),
	// ending their links, with an audit event whose actor is the
	// context's. It returns the user as stored now and whether the call
	// changed them: a verified user is left as they are. Returns
	// ENOTFOUND.
	MarkEmailVerified(ctx context.Context, id int64) (u *User, changed bool, err error)
}
