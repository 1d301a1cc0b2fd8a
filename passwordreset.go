package glpinet

import (
	"context"
	"time"
)

// PasswordResetValidity is how long a password reset link works: long
// enough to read one's mail, short enough that a link found later in a
// mailbox is worth nothing.
const PasswordResetValidity = time.Hour

// Mail kinds of the password reset flow (templates in package mail).
const (
	// MailKindPasswordReset carries the reset link; its values are
	// "name" and "link".
	MailKindPasswordReset = "password-reset"
	// MailKindPasswordChanged is the security notice sent once a
	// password was reset; its values are "name" and "link" (the page
	// that asks for a new reset link, for the person who did not do it).
	MailKindPasswordChanged = "password-changed"
)

// PasswordReset is a request to choose a new password without the old
// one, proven by a link mailed to the user. Only the SHA-256 of the
// link's token is stored; it works once, for PasswordResetValidity, and
// using it (or another of the user's resets) ends it.
type PasswordReset struct {
	ID     int64    `json:"id"`
	UserID int64    `json:"user_id"`
	Hash   [32]byte `json:"-"`
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when it was used, or ended by the use of another of the
	// user's resets; nil while it may be used.
	UsedAt    *time.Time `json:"used_at"`
	CreatedAt time.Time  `json:"created_at"`
}

// Usable returns an EINVALID error unless the reset may be used at now.
func (p *PasswordReset) Usable(now time.Time) error {
	switch {
	case p.UsedAt != nil:
		return Errorf(EINVALID, "This password reset link was already used.")
	case !now.Before(p.ExpiresAt):
		return Errorf(EINVALID, "This password reset link has expired.")
	}
	return nil
}

// PasswordResetRequest asks for a reset link for the user with Email.
type PasswordResetRequest struct {
	// Email is the address the person typed; compared without case.
	Email string
	// Hash is the SHA-256 of the token the link carries.
	Hash [32]byte
	// Link is the absolute URL the mail gives, which holds the token: it
	// goes into the mail only, never into the reset's row.
	Link string
}

// PasswordResetUse sets a new password with a reset link's token.
type PasswordResetUse struct {
	// Hash is the SHA-256 of the link's token.
	Hash [32]byte
	// PasswordHash is the new password's argon2id hash.
	PasswordHash string
	// ForgotLink is the absolute URL of the page that asks for a reset
	// link, given in the "password changed" notice to whoever did not
	// change it.
	ForgotLink string
}

// PasswordResetStore keeps password reset links.
type PasswordResetStore interface {
	// CreatePasswordReset stores a reset for the user with r.Email,
	// valid for PasswordResetValidity, and enqueues the mail carrying
	// r.Link (MailKindPasswordReset, in the user's language) in the same
	// transaction. It returns ENOTFOUND when no enabled user has that
	// address: the caller must then answer exactly as on success, so
	// that nobody learns which addresses have an account. Returns
	// EINVALID (an empty hash or link).
	CreatePasswordReset(ctx context.Context, r PasswordResetRequest) (*PasswordReset, error)
	// FindPasswordReset returns the reset with this token hash, used or
	// not (see Usable), so that a page can say at once that a link is
	// worth nothing. Returns ENOTFOUND.
	FindPasswordReset(ctx context.Context, hash [32]byte) (*PasswordReset, error)
	// ResetPassword uses a reset: in one transaction it sets the user's
	// new password hash, ends all their sessions, marks this reset and
	// every other unused one of theirs used, records an audit event and
	// enqueues the MailKindPasswordChanged notice. It returns the user.
	// Returns ENOTFOUND (unknown token, or its user was disabled),
	// EINVALID (used, expired, or an empty password hash).
	ResetPassword(ctx context.Context, u PasswordResetUse) (*User, error)
}
