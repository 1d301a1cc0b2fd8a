package service

import (
	"context"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// InvitationRequest is what a manager asks for when inviting people.
type InvitationRequest struct {
	AccountID int64
	CreatedBy int64 // the user inviting
	Role      glpinet.UserRole
	MaxUses   int
	Days      int // validity, glpinet.MinInvitationDays to glpinet.MaxInvitationDays
	// Email, when set, is the address the store mails the link to.
	Email string
	// MailBase is the absolute root of the links mails carry (the
	// server's public URL) when the server sends mail, "" when it cannot:
	// an invitation with an Email is then refused.
	MailBase string
}

// NewInvitation is an invitation just made, with its code: the only time
// the code is known in clear.
type NewInvitation struct {
	*glpinet.Invitation
	Code string
}

// CheckInvitationDays returns an EINVALID error when an invitation may not
// be valid for days days.
func CheckInvitationDays(days int) error {
	if days < glpinet.MinInvitationDays || days > glpinet.MaxInvitationDays {
		return glpinet.Errorf(glpinet.EINVALID, "An invitation is valid for %d to %d days (asked: %d).",
			glpinet.MinInvitationDays, glpinet.MaxInvitationDays, days)
	}
	return nil
}

// ErrNoMail is Invite's refusal of an e-mail address on a server that
// cannot send mail.
var ErrNoMail = glpinet.Errorf(glpinet.EINVALID,
	"This server has no mail set up, so it cannot send the invitation: leave the e-mail address empty, then copy the link and send it yourself.")

// Invite makes an invitation code, mailed with its link when req.Email is
// set. Returns EINVALID (days, see CheckInvitationDays; role, uses,
// address: see glpinet.Invitation.Validate; ErrNoMail) and the errors of
// glpinet.InvitationStore.CreateInvitation.
func (s *Service) Invite(ctx context.Context, req InvitationRequest) (*NewInvitation, error) {
	if err := CheckInvitationDays(req.Days); err != nil {
		return nil, err
	}
	email := glpinet.NormalizeEmail(req.Email)
	// Refused rather than stored unsent: the person who asked for a mail
	// would wait for one that never comes, while the link they can copy
	// works at once.
	if email != "" && req.MailBase == "" {
		return nil, ErrNoMail
	}
	code, err := auth.NewToken(auth.PrefixInvitation)
	if err != nil {
		return nil, err
	}
	inv := &glpinet.Invitation{AccountID: req.AccountID, Hash: auth.HashToken(code), Display: auth.TokenDisplay(code), Role: req.Role,
		MaxUses: req.MaxUses, ExpiresAt: s.now().Add(time.Duration(req.Days) * 24 * time.Hour), CreatedBy: req.CreatedBy}
	if email != "" {
		inv.Email, inv.MailLink = email, JoinLink(req.MailBase, code)
	}
	if err := s.Store.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	return &NewInvitation{Invitation: inv, Code: code}, nil
}

// JoinLink is the link that accepts an invitation code on the server
// whose absolute root is base.
func JoinLink(base, code string) string {
	return strings.TrimRight(base, "/") + "/join/" + code
}
